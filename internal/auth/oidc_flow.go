package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

// OIDCLoginTTL is how long a sign-in may take between the redirect to the identity provider
// and the callback.
const OIDCLoginTTL = 10 * time.Minute

// OIDCStart is a sign-in begun: send the browser to AuthURL, and bind State to it (a cookie)
// so that the callback can tell it comes back to the browser that started.
type OIDCStart struct {
	AuthURL string
	State   string
	Expires time.Time
}

// OIDCAfter is how the caller wants a sign-in answered once it succeeds, kept with the sign-in
// between Begin and Finish (the auth package gives it no meaning).
type OIDCAfter struct {
	Session  string // e.g. "cookie" for a browser session
	ReturnTo string // e.g. the page to go back to
}

// OIDCSession is a finished sign-in.
type OIDCSession struct {
	Token       string
	TTL         time.Duration
	Principal   principal.Principal
	Email       string
	Provisioned bool // the user was created by this sign-in
	After       OIDCAfter
}

func errInvalidState() error {
	return fault.New(fault.Unauthenticated, "invalid_state", "the sign-in is unknown, was already used, or began in another browser: start again")
}

func errIDToken(err error) error {
	return fault.Wrap(fault.Unauthenticated, "invalid_id_token", "the identity provider's ID token is not valid", err)
}

// activeTenant returns the ID of the tenant with slug. An unknown tenant reads as an unknown
// provider, so that the sign-in URLs do not tell which tenants exist.
func (o *OIDC) activeTenant(ctx context.Context, slug string) (string, error) {
	var id, status string
	err := o.a.s.DB(ctx).QueryRowContext(ctx, `SELECT id, status FROM tenant WHERE slug = `+o.a.ph(1), slug).Scan(&id, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", errProviderNotFound()
	}
	if err != nil {
		return "", fmt.Errorf("auth: tenant: %w", err)
	}
	if status != "active" {
		return "", fault.New(fault.Permission, "tenant_inactive", "the tenant is not active")
	}
	return id, nil
}

func randomString() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// oauthConfig is the OAuth2 client configuration of a provider.
func (o *OIDC) oauthConfig(p *providerRow, op *oidc.Provider, redirectURI string) (*oauth2.Config, error) {
	secret, err := o.seal.open(p.sealedSecret, secretContext(p.TenantID, p.ID))
	if err != nil {
		return nil, err
	}
	return &oauth2.Config{ClientID: p.ClientID, ClientSecret: secret, Endpoint: op.Endpoint(), RedirectURL: redirectURI,
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}, nil
}

// Begin starts a sign-in through the provider named providerName of the tenant with tenantSlug:
// it records a state, a nonce and a PKCE verifier, and returns the provider's authorization URL.
// redirectURI is Meridian's callback URL, as registered with the provider; after comes back
// from Finish.
func (o *OIDC) Begin(ctx context.Context, tenantSlug, providerName, redirectURI string, after OIDCAfter) (OIDCStart, error) {
	tenantID, err := o.activeTenant(ctx, tenantSlug)
	if err != nil {
		return OIDCStart{}, err
	}
	p, err := o.provider(ctx, tenantID, providerName)
	if err != nil {
		return OIDCStart{}, err
	}
	op, err := o.discover(ctx, p.IssuerURL)
	if err != nil {
		return OIDCStart{}, err
	}
	cfg, err := o.oauthConfig(p, op, redirectURI)
	if err != nil {
		return OIDCStart{}, fmt.Errorf("auth: sign-in: %w", err)
	}
	state, err := randomString()
	if err != nil {
		return OIDCStart{}, err
	}
	nonce, err := randomString()
	if err != nil {
		return OIDCStart{}, err
	}
	verifier := oauth2.GenerateVerifier()
	now := o.a.now()
	expires := now.Add(OIDCLoginTTL)
	a := o.a
	err = a.s.WithTx(ctx, func(ctx context.Context) error {
		// Sign-ins nobody finished are swept here, a tenant at a time.
		if _, err := a.s.Exec(ctx, `DELETE FROM oidc_login WHERE tenant_id = `+a.ph(1)+` AND expires_at < `+a.ph(2),
			tenantID, a.encodeTime(now)); err != nil {
			return err
		}
		_, err := a.s.Exec(ctx, `INSERT INTO oidc_login (tenant_id, state_hash, provider_id, nonce_hash, code_verifier, redirect_uri,
				session, return_to, created_at, expires_at)
			VALUES (`+a.ph(1)+`, `+a.ph(2)+`, `+a.ph(3)+`, `+a.ph(4)+`, `+a.ph(5)+`, `+a.ph(6)+`, `+a.ph(7)+`, `+a.ph(8)+`, `+a.ph(9)+`, `+a.ph(10)+`)`,
			tenantID, hashToken(state), p.ID, hashToken(nonce), verifier, redirectURI, after.Session, after.ReturnTo,
			a.encodeTime(now), a.encodeTime(expires))
		return err
	})
	if err != nil {
		return OIDCStart{}, fmt.Errorf("auth: sign-in: %w", err)
	}
	u := cfg.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier))
	return OIDCStart{AuthURL: u, State: state, Expires: expires}, nil
}

// pendingLogin is a sign-in between Begin and Finish.
type pendingLogin struct {
	providerID, nonceHash, verifier, redirectURI string
	after                                        OIDCAfter
	expires                                      time.Time
}

// consume removes and returns the sign-in of state: a state serves once.
func (o *OIDC) consume(ctx context.Context, tenantID, state string) (pendingLogin, error) {
	var l pendingLogin
	var expires any
	a := o.a
	err := a.s.WithTx(ctx, func(ctx context.Context) error {
		err := a.s.DB(ctx).QueryRowContext(ctx, `DELETE FROM oidc_login WHERE tenant_id = `+a.ph(1)+` AND state_hash = `+a.ph(2)+
			` RETURNING provider_id, nonce_hash, code_verifier, redirect_uri, session, return_to, expires_at`, tenantID, hashToken(state)).
			Scan(&l.providerID, &l.nonceHash, &l.verifier, &l.redirectURI, &l.after.Session, &l.after.ReturnTo, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return errInvalidState()
		}
		return err
	})
	if err == nil {
		l.expires, err = a.decodeTime(expires)
	}
	if err != nil {
		if _, ok := fault.As(err); ok {
			return l, err
		}
		return l, fmt.Errorf("auth: sign-in: %w", err)
	}
	return l, nil
}

// idClaims are the ID token claims a sign-in reads.
type idClaims struct {
	Email         string   `json:"email"`
	EmailVerified any      `json:"email_verified"` // a boolean; some providers send "true"
	Name          string   `json:"name"`
	AuthorizedBy  string   `json:"azp"`
	Audience      audience `json:"aud"`
}

// audience is the aud claim: one string or an array of them.
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

func verified(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return false
}

// Finish completes a sign-in at the callback: it consumes the state, exchanges the code (with the
// PKCE verifier) for tokens, verifies the ID token (signature against the provider's keys,
// issuer, audience, expiry, nonce), requires a verified email in an allowed domain, finds or
// provisions the tenant's user, and opens a session of ttl (DefaultSessionTTL when not positive).
func (o *OIDC) Finish(ctx context.Context, tenantSlug, providerName, state, code string, ttl time.Duration) (OIDCSession, error) {
	tenantID, err := o.activeTenant(ctx, tenantSlug)
	if err != nil {
		return OIDCSession{}, err
	}
	if state == "" {
		return OIDCSession{}, errInvalidState()
	}
	l, err := o.consume(ctx, tenantID, state)
	if err != nil {
		return OIDCSession{}, err
	}
	p, err := o.provider(ctx, tenantID, providerName)
	if err != nil {
		return OIDCSession{}, err
	}
	now := o.a.now()
	switch {
	case p.ID != l.providerID:
		return OIDCSession{}, errInvalidState()
	case !now.Before(l.expires):
		return OIDCSession{}, fault.New(fault.Unauthenticated, "login_expired", "the sign-in took too long: start again")
	case code == "":
		return OIDCSession{}, fault.Field("code", "required", "the identity provider sent no authorization code")
	}
	op, err := o.discover(ctx, p.IssuerURL)
	if err != nil {
		return OIDCSession{}, err
	}
	cfg, err := o.oauthConfig(p, op, l.redirectURI)
	if err != nil {
		return OIDCSession{}, fmt.Errorf("auth: sign-in: %w", err)
	}
	hctx := oidc.ClientContext(ctx, o.http)
	tok, err := cfg.Exchange(hctx, code, oauth2.VerifierOption(l.verifier))
	if err != nil {
		return OIDCSession{}, fault.Wrap(fault.Unauthenticated, "code_exchange_failed",
			"the identity provider refused the authorization code", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return OIDCSession{}, errIDToken(errors.New("the token response has no id_token"))
	}
	idt, err := op.Verifier(&oidc.Config{ClientID: p.ClientID, Now: o.a.clock}).Verify(hctx, raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return OIDCSession{}, fault.Wrap(fault.Unauthenticated, "id_token_expired", "the identity provider's ID token has expired", err)
		}
		return OIDCSession{}, errIDToken(err)
	}
	if subtle.ConstantTimeCompare([]byte(hashToken(idt.Nonce)), []byte(l.nonceHash)) != 1 {
		return OIDCSession{}, fault.New(fault.Unauthenticated, "invalid_nonce", "the ID token was not issued for this sign-in")
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		return OIDCSession{}, errIDToken(err)
	}
	// OpenID Connect Core §3.1.3.7: with several audiences, the token must be meant for us.
	if len(c.Audience) > 1 && c.AuthorizedBy != p.ClientID {
		return OIDCSession{}, errIDToken(fmt.Errorf("azp %q is not the client ID", c.AuthorizedBy))
	}
	email := strings.ToLower(strings.TrimSpace(c.Email))
	_, domain, hasAt := strings.Cut(email, "@")
	switch {
	case email == "" || !hasAt:
		return OIDCSession{}, fault.New(fault.Permission, "email_not_verified", "the identity provider sent no email address")
	case !verified(c.EmailVerified):
		return OIDCSession{}, fault.New(fault.Permission, "email_not_verified", "the identity provider has not verified the email address")
	case len(p.AllowedDomains) > 0 && !slices.Contains(p.AllowedDomains, domain):
		return OIDCSession{}, fault.Newf(fault.Permission, "email_domain_not_allowed", "addresses at %s may not sign in here", domain)
	}
	sess, err := o.openSession(ctx, tenantID, p, email, c.Name, ttl)
	sess.After = l.after
	return sess, err
}

// openSession finds (or provisions) the user of email and issues its session.
func (o *OIDC) openSession(ctx context.Context, tenantID string, p *providerRow, email, name string, ttl time.Duration) (OIDCSession, error) {
	s := OIDCSession{Email: email}
	u, err := o.userByEmail(ctx, tenantID, email)
	if errors.Is(err, sql.ErrNoRows) {
		if !p.AutoProvision || o.provision == nil {
			return s, fault.New(fault.Permission, "unknown_user", "no user of this tenant has this email address; ask an administrator to add you")
		}
		if name = strings.TrimSpace(name); name == "" {
			name, _, _ = strings.Cut(email, "@")
		}
		if _, perr := o.provision(ctx, tenantID, email, name); perr != nil && !fault.Is(perr, fault.Conflict) {
			return s, fmt.Errorf("auth: sign-in: provision %s: %w", p.Name, perr)
		}
		// A concurrent first sign-in may have created the user instead (Conflict): read it back.
		u, err = o.userByEmail(ctx, tenantID, email)
		s.Provisioned = err == nil
	}
	if err != nil {
		return s, fmt.Errorf("auth: sign-in: %w", err)
	}
	if u.disabled {
		return s, fault.New(fault.Permission, "user_disabled", "the user account is disabled")
	}
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	tok, err := o.a.issue(ctx, tenantID, u.id, KindSession, "sso:"+p.Name, ttl)
	if err != nil {
		return s, fmt.Errorf("auth: sign-in: %w", err)
	}
	s.Token, s.TTL = tok, ttl
	s.Principal = principal.Principal{TenantID: tenantID, UserID: u.id, Name: u.name, Method: "oidc", Admin: true}
	return s, nil
}

type ssoUser struct {
	id, name string
	disabled bool
}

// userByEmail returns the user of a tenant with email (stored in lower case); sql.ErrNoRows
// when there is none.
func (o *OIDC) userByEmail(ctx context.Context, tenantID, email string) (ssoUser, error) {
	var u ssoUser
	var name sql.NullString
	var disabled any
	err := o.a.s.DB(ctx).QueryRowContext(ctx, `SELECT id, full_name, is_disabled FROM "user" WHERE tenant_id = `+o.a.ph(1)+
		` AND email = `+o.a.ph(2), tenantID, email).Scan(&u.id, &name, &disabled)
	if err != nil {
		return u, err
	}
	u.name = name.String
	u.disabled, err = o.a.decodeBool(disabled)
	return u, err
}
