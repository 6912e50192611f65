// Package fault defines the error kinds that domain packages return and that only the HTTP layer
// turns into status codes. An *Error carries a stable machine-readable code, a client-safe
// message, the field at fault and optional details, and can wrap an internal cause that is never
// shown to clients.
package fault

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind int

// Error kinds.
const (
	Internal           Kind = iota // a bug or an unavailable dependency; details are not shown
	Invalid                        // the request is malformed or breaks a rule
	NotFound                       // the addressed thing does not exist (or is not visible)
	Conflict                       // the change collides with existing data (duplicate key, in use)
	PreconditionFailed             // an If-Match ETag is stale
	Unauthenticated                // no or bad credentials
	Permission                     // authenticated but not allowed
	TooLarge                       // the payload or batch is over a limit
	RateLimited                    // too many requests
	Unavailable                    // a part the request needs is not available (a database not configured)
)

var kindNames = [...]string{"internal", "invalid", "not_found", "conflict", "precondition_failed",
	"unauthenticated", "permission", "too_large", "rate_limited", "unavailable"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Error is a classified error.
type Error struct {
	Kind    Kind
	Code    string   // stable code, e.g. "required", "invalid_choice", "duplicate_key"
	Message string   // client-safe message
	Target  string   // the field, option or parameter at fault, if any
	Details []*Error // further faults (e.g. one per invalid field)
	Err     error    // internal cause, never shown to clients
}

func (e *Error) Error() string {
	msg := e.Message
	if e.Target != "" {
		msg = e.Target + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error of kind k with a stable code and a message.
func New(k Kind, code, msg string) *Error {
	return &Error{Kind: k, Code: code, Message: msg}
}

// Newf is New with a formatted message.
func Newf(k Kind, code, format string, args ...any) *Error {
	return &Error{Kind: k, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an Invalid error about one field.
func Field(target, code, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Code: code, Message: fmt.Sprintf(format, args...), Target: target}
}

// WithTarget returns a copy of e naming target as the field at fault.
func (e *Error) WithTarget(target string) *Error {
	c := *e
	c.Target = target
	return &c
}

// Wrap classifies an internal cause.
func Wrap(k Kind, code, msg string, err error) *Error {
	return &Error{Kind: k, Code: code, Message: msg, Err: err}
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var fe *Error
	ok := errors.As(err, &fe)
	return fe, ok
}

// KindOf returns the kind of err, Internal when err is not classified.
func KindOf(err error) Kind {
	if fe, ok := As(err); ok {
		return fe.Kind
	}
	return Internal
}

// Is reports whether err is classified as kind k.
func Is(err error, k Kind) bool { return err != nil && KindOf(err) == k }

// CodeOf returns the code of err, "" when err is not classified.
func CodeOf(err error) string {
	if fe, ok := As(err); ok {
		return fe.Code
	}
	return ""
}

// Join combines several field faults into one Invalid error; the first is the headline.
// It returns nil when faults is empty.
func Join(faults []*Error) error {
	switch len(faults) {
	case 0:
		return nil
	case 1:
		return faults[0]
	}
	head := *faults[0]
	head.Details = faults
	return &head
}

// WithKind returns a copy of e with kind k.
func (e *Error) WithKind(k Kind) *Error {
	c := *e
	c.Kind = k
	return &c
}
