package principal

import "context"

// Origin says where a request came from, for the audit trail and the request log.
type Origin struct {
	IP        string
	UserAgent string
	RequestID string
}

type originKey struct{}

// WithOrigin returns a context carrying o.
func WithOrigin(ctx context.Context, o Origin) context.Context {
	return context.WithValue(ctx, originKey{}, o)
}

// OriginFrom returns the origin in ctx (zero outside a request: CLI and background work).
func OriginFrom(ctx context.Context) Origin {
	o, _ := ctx.Value(originKey{}).(Origin)
	return o
}
