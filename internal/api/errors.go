package api

import (
	"errors"
	"net/http"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/query"
)

// errorBody is the JSON error format of every failed request.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string        `json:"code"`
	Message string        `json:"message"`
	Target  string        `json:"target,omitempty"`
	Details []errorDetail `json:"details,omitempty"`
}

var statusOf = map[fault.Kind]int{
	fault.Internal:           http.StatusInternalServerError,
	fault.Invalid:            http.StatusBadRequest,
	fault.NotFound:           http.StatusNotFound,
	fault.Conflict:           http.StatusConflict,
	fault.PreconditionFailed: http.StatusPreconditionFailed,
	fault.Unauthenticated:    http.StatusUnauthorized,
	fault.Permission:         http.StatusForbidden,
	fault.TooLarge:           http.StatusRequestEntityTooLarge,
	fault.RateLimited:        http.StatusTooManyRequests,
	fault.Unavailable:        http.StatusServiceUnavailable,
}

// classify turns any error into a client-safe fault and its status. Unclassified errors are
// internal: their text is logged, never sent.
func classify(err error) (int, *fault.Error) {
	var se *query.SyntaxError
	if errors.As(err, &se) {
		code := "invalid_query"
		switch {
		case se.Code != "":
			code = se.Code
		case se.Option == "$filter":
			code = "invalid_filter"
		}
		return http.StatusBadRequest, &fault.Error{Kind: fault.Invalid, Code: code, Message: se.Error(), Target: se.Option}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge, fault.Newf(fault.TooLarge, "payload_too_large", "the request body is larger than %d bytes", mbe.Limit)
	}
	if status, fe, ok := classifyBody(err); ok {
		return status, fe
	}
	fe, ok := fault.As(err)
	if !ok || fe.Kind == fault.Internal {
		return http.StatusInternalServerError, fault.New(fault.Internal, "internal_error", "the server failed to process the request; it has been logged")
	}
	return statusOf[fe.Kind], fe
}

func detailOf(fe *fault.Error) errorDetail {
	d := errorDetail{Code: fe.Code, Message: fe.Message, Target: fe.Target}
	for _, x := range fe.Details {
		d.Details = append(d.Details, errorDetail{Code: x.Code, Message: x.Message, Target: x.Target})
	}
	return d
}

// writeError sends err as the JSON error body with its status.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	if _, ok := fault.As(err); !ok && s.st.D.IsUndefinedObject(err) {
		// Another server changed the tenant's data model after this one built its copy (it
		// follows such changes within a poll interval): build it again, and let the client retry.
		if p, ok := principalOf(r); ok {
			s.reg.Invalidate(p.TenantID)
		}
		err = fault.Wrap(fault.Conflict, "model_changed", "the data model changed while the request ran; send it again", err)
	}
	status, fe := classify(err)
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="meridian"`)
	}
	writeJSON(w, status, errorBody{Error: detailOf(fe)})
}

// WriteError writes err as the API's JSON error (for handlers in front of the API, such as the
// router between tenant placements).
func (s *Server) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	s.writeError(w, r, err)
}
