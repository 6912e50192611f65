package app

import (
	"io"
	"net/http"
	"time"
)

// Slow clients. The HTTP server gives a client ReadHeaderTimeout to send a request's headers
// and IdleTimeout to start its next request on a kept-alive connection. A request's body gets
// ReadBodyTimeout from the end of its headers, extended by one second for every
// ReadBodyMinRate bytes received: a large upload takes as long as it needs while its data keeps
// coming at that rate on average, and a client that stops sending — or trickles — loses the
// connection (the API answers 408 request_timeout when it still can). The deadline is lifted
// once the body has arrived, so a long-running request is never cut short by it.

// bodyDeadlines applies the body read deadline to every request with a body.
func bodyDeadlines(next http.Handler, timeout time.Duration, minRate int64) http.Handler {
	if timeout <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		start := time.Now()
		if err := rc.SetReadDeadline(start.Add(timeout)); err != nil {
			next.ServeHTTP(w, r) // not served over a connection that has deadlines
			return
		}
		r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc, start: start, timeout: timeout, minRate: minRate}
		next.ServeHTTP(w, r)
	})
}

// deadlineBody moves the read deadline forward as the body arrives, and lifts it at the end.
type deadlineBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	start   time.Time
	timeout time.Duration
	minRate int64 // bytes per second that earn one more second; 0: the deadline does not move
	read    int64
	ended   bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.read += int64(n)
	switch {
	case err == io.EOF && !b.ended:
		b.ended = true
		_ = b.rc.SetReadDeadline(time.Time{})
	case n > 0 && b.minRate > 0 && !b.ended:
		earned := time.Duration(float64(b.read) / float64(b.minRate) * float64(time.Second))
		_ = b.rc.SetReadDeadline(b.start.Add(b.timeout + earned))
	}
	return n, err
}
