package api

import (
	"errors"
	"io"
	"net/http"
	"os"

	"github.com/meridian-crm/meridian/internal/fault"
)

// A request body that breaks off — the client closes the connection before the end, or stops
// sending past the server's read deadline (app.Serve) — is the client's doing: the request is
// answered 400 incomplete_body (408 request_timeout past the deadline), like a malformed body,
// and nothing is logged as a server error. Handlers that store what they read (an import's
// upload) remove it when the read fails.

// bodyError is a failed read of a request body.
type bodyError struct{ err error }

func (e *bodyError) Error() string { return "reading the request body: " + e.err.Error() }
func (e *bodyError) Unwrap() error { return e.err }

// clientBody marks the read errors of a request body as the client's.
type clientBody struct{ io.ReadCloser }

func (b clientBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		err = &bodyError{err}
	}
	return n, err
}

// markBodies wraps every request body in clientBody.
func markBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = clientBody{r.Body}
		}
		next.ServeHTTP(w, r)
	})
}

// classifyBody returns the status and fault of a failed body read, if err is one.
func classifyBody(err error) (int, *fault.Error, bool) {
	var be *bodyError
	if !errors.As(err, &be) {
		return 0, nil, false
	}
	if errors.Is(be.err, os.ErrDeadlineExceeded) {
		return http.StatusRequestTimeout, fault.New(fault.Invalid, "request_timeout",
			"the request body did not arrive in time; the connection is closed"), true
	}
	return http.StatusBadRequest, fault.New(fault.Invalid, "incomplete_body",
		"the request body broke off before its end (the connection was closed while it was sent)"), true
}
