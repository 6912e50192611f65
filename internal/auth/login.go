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
// positive). tenantSlug may be empty when the email belongs to a single active tenant. A user
// with a second factor cannot sign in this way: see SignIn.
func (a *Service) Login(ctx context.Context, tenantSlug, email, password string, ttl time.Duration) (string, principal.Principal, error) {
	res, err := a.SignIn(ctx, LoginInput{Tenant: tenantSlug, Email: email, Password: password, TTL: ttl})
	if err != nil {
		return "", principal.Principal{}, err
	}
	if res.Challenge != "" {
		return "", principal.Principal{}, fault.New(fault.Unauthenticated, "mfa_required", "this account needs a second factor: sign in through the API")
	}
	return res.Token, res.Principal, nil
}

// LoginInput is a sign-in with email and password.
type LoginInput struct {
	Tenant   string // slug; may be empty when the email belongs to a single active tenant
	Email    string
	Password string
	TTL      time.Duration // of the session; DefaultSessionTTL when not positive
	// Session is remembered by an MFA challenge and handed back by VerifyMFA, so that the
	// caller finishes the sign-in the way it began it (e.g. "cookie" or "token").
	Session string
}

// LoginResult is a successful sign-in: a session, or a challenge for a second factor.
type LoginResult struct {
	Token     string // the session token; empty when Challenge is set
	Principal principal.Principal
	TTL       time.Duration // of the session
	// Challenge, when set, must be answered with a second factor in VerifyMFA within
	// ChallengeTTL; no session exists yet.
	Challenge    string
	ChallengeTTL time.Duration
	Session      string // as given in LoginInput
	Email        string // of the user (VerifyMFA)
}

// SignIn checks an email and password. It refuses attempts while the email address is locked or
// the client address (from principal.OriginFrom) is blocked after repeated failures, answering
// an unknown email exactly like a wrong password. A user enrolled in multi-factor
// authentication gets a challenge instead of a session.
func (a *Service) SignIn(ctx context.Context, in LoginInput) (LoginResult, error) {
	email, tenantSlug, password := strings.TrimSpace(in.Email), strings.TrimSpace(in.Tenant), in.Password
	if email == "" || password == "" || len(password) > MaxPasswordBytes {
		return LoginResult{}, errInvalidCredentials()
	}
	ipSub, emailSub := ipSubject(principal.OriginFrom(ctx).IP), emailSubject(email)
	if err := a.checkLocks(ctx, a.now(), ipSub, emailSub); err != nil {
		return LoginResult{}, err
	}
	if err := a.reserve(ctx, emailSub); err != nil {
		return LoginResult{}, err
	}
	fail := func() (LoginResult, error) {
		return LoginResult{}, a.failed(ctx, ipSub, emailSub, true, errInvalidCredentials())
	}
	cands, err := a.candidates(ctx, tenantSlug, email)
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: login: %w", err)
	}
	if tenantSlug == "" && manyTenants(cands) {
		err := a.ambiguous(cands, password)
		if fault.CodeOf(err) == "invalid_credentials" {
			return fail()
		}
		if rerr := a.release(ctx, emailSub); rerr != nil {
			return LoginResult{}, rerr
		}
		return LoginResult{}, err
	}
	c := pick(cands, email)
	if c == nil || !c.hash.Valid {
		a.burn(password)
		return fail()
	}
	match, rehash, err := a.verify(password, c.hash.String)
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: login: stored hash of user %s: %w", c.userID, err)
	}
	if !match {
		return fail()
	}
	// The password was right: whatever follows is not a failed guess.
	if err := a.release(ctx, emailSub); err != nil {
		return LoginResult{}, err
	}
	// Only a caller who knows the password learns that the account is shut.
	if c.disabled {
		return LoginResult{}, fault.New(fault.Permission, "user_disabled", "the user account is disabled")
	}
	if c.tenantStatus != "active" {
		return LoginResult{}, fault.New(fault.Permission, "tenant_inactive", "the tenant is not active")
	}
	if rehash {
		if h, err := a.hash(password); err == nil {
			// Best effort: the password was right, and the next login retries the upgrade.
			_ = a.storeHash(ctx, c.tenantID, c.userID, h)
		}
	}
	ttl := in.TTL
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	p := principal.Principal{TenantID: c.tenantID, UserID: c.userID, Name: c.name, Method: "password", Admin: true}
	enrolled, err := a.mfaActive(ctx, c.tenantID, c.userID)
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: login: %w", err)
	}
	if enrolled {
		// Failures are forgotten only once the second factor is given too, so that knowing the
		// password does not reset the count of wrong codes.
		ch, err := a.newChallenge(ctx, c.tenantID, c.userID, in.Session)
		if err != nil {
			return LoginResult{}, fmt.Errorf("auth: login: %w", err)
		}
		return LoginResult{Principal: p, Challenge: ch, ChallengeTTL: ChallengeTTL, Session: in.Session}, nil
	}
	token, err := a.issue(ctx, c.tenantID, c.userID, KindSession, "", ttl)
	if err != nil {
		return LoginResult{}, fmt.Errorf("auth: login: %w", err)
	}
	if err := a.clear(ctx, emailSub); err != nil {
		return LoginResult{}, err
	}
	return LoginResult{Token: token, Principal: p, TTL: ttl, Session: in.Session}, nil
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
