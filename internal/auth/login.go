package auth

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

// DefaultSessionTTL is the lifetime of a session when Login is not given one.
const DefaultSessionTTL = 12 * time.Hour

// maxAmbiguous bounds the password checks a login without a tenant spends on an email that
// several tenants know.
const maxAmbiguous = 5

// errInvalidCredentials is the one answer for an unknown email, a wrong password and a user
// without a password, so that a caller cannot tell which accounts exist.
func errInvalidCredentials() error {
	return fault.New(fault.Unauthenticated, "invalid_credentials", "the email or password is incorrect")
}

// candidate is a user a login email may name.
type candidate struct {
	tenantID, tenantStatus string
	userID, name, email    string
	disabled               bool
	hash                   sql.NullString
}

// Login checks an email and password and opens a session of ttl (DefaultSessionTTL when not
// positive). tenantSlug may be empty when the email belongs to a single active tenant.
func (a *Service) Login(ctx context.Context, tenantSlug, email, password string, ttl time.Duration) (string, principal.Principal, error) {
	email, tenantSlug = strings.TrimSpace(email), strings.TrimSpace(tenantSlug)
	if email == "" || password == "" || len(password) > MaxPasswordBytes {
		return "", principal.Principal{}, errInvalidCredentials()
	}
	cands, err := a.candidates(ctx, tenantSlug, email)
	if err != nil {
		return "", principal.Principal{}, fmt.Errorf("auth: login: %w", err)
	}
	if tenantSlug == "" && manyTenants(cands) {
		return "", principal.Principal{}, a.ambiguous(cands, password)
	}
	c := pick(cands, email)
	if c == nil || !c.hash.Valid {
		a.burn(password)
		return "", principal.Principal{}, errInvalidCredentials()
	}
	match, rehash, err := a.verify(password, c.hash.String)
	if err != nil {
		return "", principal.Principal{}, fmt.Errorf("auth: login: stored hash of user %s: %w", c.userID, err)
	}
	if !match {
		return "", principal.Principal{}, errInvalidCredentials()
	}
	// Only a caller who knows the password learns that the account is shut.
	if c.disabled {
		return "", principal.Principal{}, fault.New(fault.Permission, "user_disabled", "the user account is disabled")
	}
	if c.tenantStatus != "active" {
		return "", principal.Principal{}, fault.New(fault.Permission, "tenant_inactive", "the tenant is not active")
	}
	if rehash {
		if h, err := a.hash(password); err == nil {
			// Best effort: the password was right, and the next login retries the upgrade.
			_ = a.storeHash(ctx, c.tenantID, c.userID, h)
		}
	}
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	token, err := a.issue(ctx, c.tenantID, c.userID, KindSession, "", ttl)
	if err != nil {
		return "", principal.Principal{}, fmt.Errorf("auth: login: %w", err)
	}
	return token, principal.Principal{TenantID: c.tenantID, UserID: c.userID, Name: c.name, Method: "password", Admin: true}, nil
}

// candidates returns the users with email (ignoring case) in the tenant named by slug, or in any
// active tenant when slug is empty.
func (a *Service) candidates(ctx context.Context, slug, email string) ([]candidate, error) {
	q := `SELECT n.id, n.status, u.id, u.full_name, u.email, u.is_disabled, c.password_hash
		FROM "user" u
		JOIN tenant n ON n.id = u.tenant_id
		LEFT JOIN credential c ON c.tenant_id = u.tenant_id AND c.user_id = u.id
		WHERE u.email = ` + a.ph(1) + ` AND `
	// The records service stores user emails in lower case, so the unique index serves this.
	args := []any{strings.ToLower(strings.TrimSpace(email))}
	if slug != "" {
		q += `n.slug = ` + a.ph(2)
		args = append(args, slug)
	} else {
		q += `n.status = 'active'`
	}
	q += ` ORDER BY n.id, u.id LIMIT 20`
	rows, err := a.s.DB(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		var name, mail sql.NullString
		var disabled any
		if err := rows.Scan(&c.tenantID, &c.tenantStatus, &c.userID, &name, &mail, &disabled, &c.hash); err != nil {
			return nil, err
		}
		if c.disabled, err = a.decodeBool(disabled); err != nil {
			return nil, err
		}
		c.name, c.email = name.String, mail.String
		out = append(out, c)
	}
	return out, rows.Err()
}

func manyTenants(cands []candidate) bool {
	for _, c := range cands {
		if c.tenantID != cands[0].tenantID {
			return true
		}
	}
	return false
}

// ambiguous answers a login without a tenant for an email several tenants know. It asks for the
// tenant only when the password opens one of the accounts, so that a stranger cannot learn where
// an address is registered.
func (a *Service) ambiguous(cands []candidate, password string) error {
	checked := 0
	for _, c := range cands {
		if !c.hash.Valid || checked == maxAmbiguous {
			continue
		}
		checked++
		if ok, _, err := a.verify(password, c.hash.String); err == nil && ok {
			return fault.Field("tenant", "tenant_required", "this email belongs to several tenants: choose one")
		}
	}
	if checked == 0 {
		a.burn(password)
	}
	return errInvalidCredentials()
}

// pick chooses the user an email names within one tenant: the only candidate, or the only one
// whose address matches exactly when several differ just by case.
func pick(cands []candidate, email string) *candidate {
	if len(cands) == 1 {
		return &cands[0]
	}
	var found *candidate
	for i := range cands {
		if cands[i].email == email {
			if found != nil {
				return nil
			}
			found = &cands[i]
		}
	}
	return found
}
