// Package principal carries who is acting, and for which tenant, through a request's context.
// Authentication fills it; the records service, authorization and audit read it.
package principal

import "context"

// Principal is the authenticated caller.
type Principal struct {
	TenantID string
	UserID   string
	Name     string
	// Method tells how the caller authenticated: "password", "token", "apikey", "system".
	Method string
	// Admin marks a tenant administrator (full privileges until the security model refines it).
	Admin bool
	// KeyID names the credential when it has a request budget of its own (an API key: its ID,
	// the SHA-256 of the key, never the key); "" for sessions. The gateway limits use it.
	KeyID string
	// Scopes restrict what the credential may do (an API key's "read" or "write"); nil: nothing
	// beyond the user's own rights.
	Scopes []string
}

type key struct{}

// With returns a context carrying p.
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, key{}, p)
}

// From returns the principal in ctx and whether there is one.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(key{}).(Principal)
	return p, ok
}

// System returns a principal for work the server does on its own behalf in tenant.
func System(tenantID string) Principal {
	return Principal{TenantID: tenantID, Name: "system", Method: "system", Admin: true}
}
