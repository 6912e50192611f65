package audit

import (
	"context"
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
)

// LoginAttempt is one sign-in with an email and a password, as the login endpoint saw it.
type LoginAttempt struct {
	Tenant string // the tenant slug the client named ("" when it named none)
	Email  string // the email tried; the password is never recorded
	// Principal is who signed in (on success); on failure only its Method counts (how the attempt
	// was made, "password" when empty).
	Principal principal.Principal
	// Err is why the attempt failed (nil on success).
	Err error
}

// Login records a login attempt in its own transaction: ActionLogin for the signed-in user, or
// ActionLoginFailed with the email tried and the reason (the error code). A failed attempt goes
// to the chain of the tenant it named or whose user has the email (each of them, when several
// tenants have it); with neither, to the only tenant of the database, or else to the
// Installation chain. The record of the entry is the account the email names (when known); the
// user is the signed-in user, and nobody for a failure.
func (s *Service) Login(ctx context.Context, a LoginAttempt) error {
	email := clip(strings.TrimSpace(a.Email), 320)
	if a.Err == nil {
		p := a.Principal
		return s.Event(ctx, Event{TenantID: p.TenantID, Action: ActionLogin, Entity: "user", RecordID: p.UserID,
			UserID: p.UserID, UserName: p.Name, Method: orDefault(p.Method, "password"), Details: map[string]any{"email": email}})
	}
	reason := "error"
	if fe, ok := fault.As(a.Err); ok && fe.Code != "" {
		reason = fe.Code
	}
	targets, err := s.loginTargets(ctx, strings.TrimSpace(a.Tenant), email)
	if err != nil {
		return fmt.Errorf("audit: login: %w", err)
	}
	details := map[string]any{"email": email, "reason": reason}
	if a.Tenant != "" {
		details["tenant"] = clip(a.Tenant, 64)
	}
	return s.st.WithTx(ctx, func(ctx context.Context) error {
		for _, t := range targets {
			ev := Event{TenantID: t.tenantID, Action: ActionLoginFailed, Entity: "user", RecordID: t.userID,
				UserName: email, Method: orDefault(a.Principal.Method, "password"), Details: details}
			if err := s.Event(ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// loginTarget is a chain a failed login is recorded in, with the account the email names there.
type loginTarget struct{ tenantID, userID string }

// loginTargets finds where a failed login belongs (see Login).
func (s *Service) loginTargets(ctx context.Context, slug, email string) ([]loginTarget, error) {
	ph := s.st.D.Placeholder
	q := `SELECT u.tenant_id, u.id FROM "user" u JOIN tenant n ON n.id = u.tenant_id WHERE u.email = ` + ph(1)
	args := []any{strings.ToLower(email)}
	if slug != "" {
		q += ` AND n.slug = ` + ph(2)
		args = append(args, slug)
	}
	q += ` ORDER BY u.tenant_id, u.id LIMIT 20`
	var out []loginTarget
	seen := map[string]bool{}
	err := s.scan(ctx, q, args, func(vals []any) {
		t := loginTarget{tenantID: vals[0].(string), userID: vals[1].(string)}
		if !seen[t.tenantID] { // one entry per tenant
			seen[t.tenantID] = true
			out = append(out, t)
		}
	}, guidAttr, guidAttr)
	if err != nil || len(out) > 0 {
		return out, err
	}
	q, args = `SELECT id FROM tenant ORDER BY id LIMIT 2`, nil
	if slug != "" {
		q, args = `SELECT id FROM tenant WHERE slug = `+ph(1), []any{slug}
	}
	var tenants []string
	if err := s.scan(ctx, q, args, func(vals []any) { tenants = append(tenants, vals[0].(string)) }, guidAttr); err != nil {
		return nil, err
	}
	if len(tenants) == 1 {
		return []loginTarget{{tenantID: tenants[0]}}, nil
	}
	return []loginTarget{{tenantID: Installation}}, nil
}

// scan runs q and calls fn with each row's values decoded as attrs say.
func (s *Service) scan(ctx context.Context, q string, args []any, fn func([]any), attrs ...*metadata.Attribute) error {
	rows, err := s.st.DB(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	raw := make([]any, len(attrs))
	ptrs := make([]any, len(attrs))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		vals := make([]any, len(attrs))
		for i, a := range attrs {
			v, err := s.st.D.Decode(a, raw[i])
			if err != nil {
				return err
			}
			vals[i] = v
		}
		fn(vals)
	}
	return rows.Err()
}
