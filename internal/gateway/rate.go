// Package gateway holds the API gateway's request limiters: a sliding-window rate limiter and a
// concurrency limiter, each keyed by a string (a user, an API key, a tenant, a client address).
// They keep their state in this process's memory; internal/api decides what the keys are and
// turns a refusal into 429 Too Many Requests.
package gateway

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Rate is a number of requests allowed in any window of length Per. The zero Rate is off.
type Rate struct {
	N   int
	Per time.Duration
}

// Bounds of a rate: a window shorter than a second or a count above a billion is almost
// certainly a typo.
const (
	minPer = time.Second
	maxN   = 1_000_000_000
)

// Off reports whether r limits nothing.
func (r Rate) Off() bool { return r.N <= 0 || r.Per <= 0 }

// String formats r as ParseRate reads it: "6000/5m", or "off".
func (r Rate) String() string {
	if r.Off() {
		return "off"
	}
	per := r.Per.String()
	switch {
	case r.Per%time.Hour == 0:
		per = strconv.FormatInt(int64(r.Per/time.Hour), 10) + "h"
	case r.Per%time.Minute == 0:
		per = strconv.FormatInt(int64(r.Per/time.Minute), 10) + "m"
	case r.Per%time.Second == 0:
		per = strconv.FormatInt(int64(r.Per/time.Second), 10) + "s"
	}
	return strconv.Itoa(r.N) + "/" + per
}

// ParseRate reads "N/DURATION" — "6000/5m", "20/1m", "100/s" (a bare unit means one of it), with
// DURATION as Go writes durations — or "off", "0" or "" for no limit.
func ParseRate(s string) (Rate, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "0", "off":
		return Rate{}, nil
	}
	count, per, ok := strings.Cut(s, "/")
	if !ok {
		return Rate{}, fmt.Errorf("rate %q: want REQUESTS/DURATION such as 6000/5m, or off", s)
	}
	n, err := strconv.Atoi(strings.TrimSpace(count))
	if err != nil || n < 1 || n > maxN {
		return Rate{}, fmt.Errorf("rate %q: the number of requests must be a whole number from 1 to %d (or the whole rate off)", s, maxN)
	}
	per = strings.TrimSpace(per)
	if per != "" && (per[0] < '0' || per[0] > '9') && per[0] != '.' {
		per = "1" + per // "100/s"
	}
	d, err := time.ParseDuration(per)
	if err != nil || d < minPer {
		return Rate{}, fmt.Errorf("rate %q: the window must be a duration of at least 1s such as 30s, 5m or 1h", s)
	}
	return Rate{N: n, Per: d}, nil
}
