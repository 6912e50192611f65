package demo

import (
	"math"
	"math/rand/v2"
	"time"
)

// rng wraps a PCG generator with the distributions the generator needs. Every random choice of
// the demo goes through one, so a seed fixes the whole data set.
type rng struct{ r *rand.Rand }

func newRNG(seed, stream uint64) *rng { return &rng{rand.New(rand.NewPCG(seed, stream))} }

// intn returns a number in [0, n).
func (r *rng) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return r.r.IntN(n)
}

// between returns an integer in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// float returns a number in [0, 1).
func (r *rng) float() float64 { return r.r.Float64() }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.r.Float64() < p }

// normal returns a normally distributed number.
func (r *rng) normal(mean, sd float64) float64 { return mean + sd*r.r.NormFloat64() }

// logNormal returns a log-normal number with the given median and shape.
func (r *rng) logNormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*r.r.NormFloat64())
}

// poisson returns a Poisson-distributed count with mean lambda (Knuth; lambda is small here).
func (r *rng) poisson(lambda float64) int {
	if lambda <= 0 {
		return 0
	}
	if lambda > 30 {
		return max(0, int(math.Round(r.normal(lambda, math.Sqrt(lambda)))))
	}
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// weighted returns an index chosen with probability proportional to w.
func (r *rng) weighted(w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	x := r.r.Float64() * total
	for i, v := range w {
		if x < v {
			return i
		}
		x -= v
	}
	return len(w) - 1
}

// pick returns a random element of s.
func pick[T any](g *rng, s []T) T { return s[g.intn(len(s))] }

// digits replaces each '#' of pattern with a random digit and each 'A' with a capital letter.
func (r *rng) digits(pattern string) string {
	b := []byte(pattern)
	for i, c := range b {
		switch c {
		case '#':
			b[i] = byte('0' + r.intn(10))
		case 'A':
			b[i] = byte('A' + r.intn(26))
		}
	}
	return string(b)
}

// dayIn returns a random day in [from, to).
func (r *rng) dayIn(from, to time.Time) time.Time {
	days := int(to.Sub(from).Hours() / 24)
	if days <= 0 {
		return from
	}
	return from.AddDate(0, 0, r.intn(days))
}

// workTime returns a moment during office hours (08:30–18:00 local time, Monday to Friday) on
// or shortly after day d in a city offset hours from UTC, as UTC.
func (r *rng) workTime(d time.Time, offset float64) time.Time {
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
		d = d.AddDate(0, 0, 1)
	}
	minutes := 510 + r.intn(570)/15*15 // quarter hours from 08:30
	return d.Add(time.Duration(minutes)*time.Minute - time.Duration(offset*float64(time.Hour)))
}
