package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
)

// OIDC signs users in through OpenID Connect identity providers that each tenant configures
// (authorization code flow with PKCE, OpenID Connect Core 1.0 §3.1). A verified email address
// from the provider names the tenant's user; unknown users are refused unless the provider
// allows auto-provisioning.
type OIDC struct {
	a         *Service
	http      *http.Client
	seal      *sealer
	provision Provisioner

	mu         sync.Mutex
	discovered map[string]discovered // by issuer URL
}

// Provisioner creates the user record for a first sign-in (through the records service, the one
// write path) and returns its ID.
type Provisioner func(ctx context.Context, tenantID, email, name string) (string, error)

// OIDCOptions configures single sign-on.
type OIDCOptions struct {
	// HTTPClient talks to the identity providers (nil: one with a 15-second timeout).
	HTTPClient *http.Client
	// SecretKey seals the providers' client secrets in the database (see ParseSecretKey); nil
	// stores them in clear.
	SecretKey []byte
	// Provision creates users on first sign-in for providers that allow it; nil: never.
	Provision Provisioner
}

// NewOIDC returns single sign-on on the users and tokens of a.
func NewOIDC(a *Service, opts OIDCOptions) (*OIDC, error) {
	seal, err := newSealer(opts.SecretKey)
	if err != nil {
		return nil, err
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 15 * time.Second}
	}
	return &OIDC{a: a, http: hc, seal: seal, provision: opts.Provision, discovered: map[string]discovered{}}, nil
}

// EncryptsSecrets reports whether client secrets are sealed with a secret key.
func (o *OIDC) EncryptsSecrets() bool { return o.seal.encrypts() }

// OIDCProvider is an identity provider of a tenant, without its client secret.
type OIDCProvider struct {
	ID              string
	TenantID        string
	TenantSlug      string // in the sign-in URLs: /api/v1/auth/oidc/{tenant slug}/{name}/login
	Name            string
	IssuerURL       string
	ClientID        string
	HasClientSecret bool
	AllowedDomains  []string // email domains that may sign in; empty: any
	AutoProvision   bool     // create unknown users on their first sign-in
	CreatedAt       time.Time
	ModifiedAt      time.Time
}

// OIDCProviderInput configures a provider. On update, nil fields keep their value.
type OIDCProviderInput struct {
	Name           *string
	IssuerURL      *string
	ClientID       *string
	ClientSecret   *string
	AllowedDomains []string // nil: keep; empty: any domain
	AutoProvision  *bool
}

var (
	providerNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	domainRE       = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

func errProviderNotFound() error {
	return fault.New(fault.NotFound, "provider_not_found", "the identity provider does not exist")
}

// checkIssuer accepts an https URL, or http on a loopback address (a provider on the same host,
// as in tests and development). The issuer must be given exactly as the provider names itself.
func checkIssuer(raw string) error {
	u, err := url.Parse(raw)
	bad := func(msg string) error { return fault.Field("issuer_url", "invalid_url", "%s", msg) }
	switch {
	case err != nil || u.Host == "" || !u.IsAbs():
		return bad("the issuer must be an absolute URL, e.g. https://login.example.com")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "":
		return bad("the issuer URL must not carry credentials, a query or a fragment")
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return bad("the issuer must use https (plain http only on a loopback address)")
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func normalizeDomains(in []string) ([]string, error) {
	seen := map[string]bool{}
	out := []string{}
	for _, d := range in {
		d = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(d)), "@")
		if d == "" || seen[d] {
			continue
		}
		if len(d) > 253 || !domainRE.MatchString(d) {
			return nil, fault.Field("allowed_domains", "invalid_domain", "%q is not a domain name", d)
		}
		seen[d] = true
		out = append(out, d)
	}
	sort.Strings(out)
	return out, nil
}

// providerRow is a stored provider with its sealed secret.
type providerRow struct {
	OIDCProvider
	sealedSecret string
}

// check validates a provider about to be stored.
func (p *providerRow) check() error {
	switch {
	case !providerNameRE.MatchString(p.Name):
		return fault.Field("name", "invalid_name", "the name must be 1–63 lower-case letters, digits or dashes")
	case p.IssuerURL == "":
		return fault.Field("issuer_url", "required", "issuer_url is required")
	case p.ClientID == "":
		return fault.Field("client_id", "required", "client_id is required: the identifier the provider gave Meridian")
	case len(p.ClientID) > 500:
		return fault.Field("client_id", "too_long", "client_id is too long")
	case p.AutoProvision && len(p.AllowedDomains) == 0:
		// Otherwise anyone with an account at a public provider could create a user.
		return fault.Field("allowed_domains", "domains_required", "auto-provisioning needs allowed_domains")
	}
	return checkIssuer(p.IssuerURL)
}

// apply sets the fields of in on p, sealing a new secret.
func (o *OIDC) apply(p *providerRow, in OIDCProviderInput) error {
	if in.Name != nil {
		p.Name = strings.TrimSpace(*in.Name)
	}
	if in.IssuerURL != nil {
		p.IssuerURL = strings.TrimSpace(*in.IssuerURL)
	}
	if in.ClientID != nil {
		p.ClientID = strings.TrimSpace(*in.ClientID)
	}
	if in.AllowedDomains != nil {
		d, err := normalizeDomains(in.AllowedDomains)
		if err != nil {
			return err
		}
		p.AllowedDomains = d
	}
	if in.AutoProvision != nil {
		p.AutoProvision = *in.AutoProvision
	}
	if err := p.check(); err != nil {
		return err
	}
	if in.ClientSecret != nil {
		if len(*in.ClientSecret) > 1000 {
			return fault.Field("client_secret", "too_long", "client_secret is too long")
		}
		sealed, err := o.seal.seal(*in.ClientSecret, secretContext(p.TenantID, p.ID))
		if err != nil {
			return err
		}
		p.sealedSecret, p.HasClientSecret = sealed, *in.ClientSecret != ""
	}
	return nil
}

// secretContext binds a sealed client secret to its provider row.
func secretContext(tenantID, providerID string) string {
	return "oidc_provider/" + tenantID + "/" + providerID
}

// CreateProvider adds an identity provider to a tenant.
func (o *OIDC) CreateProvider(ctx context.Context, tenantID string, in OIDCProviderInput) (OIDCProvider, error) {
	now := o.a.now()
	p := &providerRow{OIDCProvider: OIDCProvider{ID: uuid.Must(uuid.NewV7()).String(), TenantID: tenantID,
		AllowedDomains: []string{}, CreatedAt: now, ModifiedAt: now}}
	if err := o.apply(p, in); err != nil {
		return OIDCProvider{}, err
	}
	a := o.a
	_, err := a.s.Exec(ctx, `INSERT INTO oidc_provider (tenant_id, id, name, issuer_url, client_id, client_secret, allowed_domains,
			auto_provision, created_at, modified_at)
		VALUES (`+a.ph(1)+`, `+a.ph(2)+`, `+a.ph(3)+`, `+a.ph(4)+`, `+a.ph(5)+`, `+a.ph(6)+`, `+a.ph(7)+`, `+a.ph(8)+`, `+a.ph(9)+`, `+a.ph(10)+`)`,
		tenantID, p.ID, p.Name, p.IssuerURL, p.ClientID, p.sealedSecret, strings.Join(p.AllowedDomains, " "),
		a.s.D.Encode(boolean, p.AutoProvision), a.encodeTime(now), a.encodeTime(now))
	if err != nil {
		if a.s.D.IsUniqueViolation(err) {
			return OIDCProvider{}, fault.Field("name", "duplicate_name", "the tenant has a provider named %s", p.Name).WithKind(fault.Conflict)
		}
		return OIDCProvider{}, fmt.Errorf("auth: create identity provider: %w", err)
	}
	return o.Provider(ctx, tenantID, p.Name)
}

// UpdateProvider changes the provider named name; fields left nil keep their value.
func (o *OIDC) UpdateProvider(ctx context.Context, tenantID, name string, in OIDCProviderInput) (OIDCProvider, error) {
	var out OIDCProvider
	err := o.a.s.WithTx(ctx, func(ctx context.Context) error {
		p, err := o.provider(ctx, tenantID, name)
		if err != nil {
			return err
		}
		if err := o.apply(p, in); err != nil {
			return err
		}
		p.ModifiedAt = o.a.now()
		a := o.a
		_, err = a.s.Exec(ctx, `UPDATE oidc_provider SET name = `+a.ph(1)+`, issuer_url = `+a.ph(2)+`, client_id = `+a.ph(3)+
			`, client_secret = `+a.ph(4)+`, allowed_domains = `+a.ph(5)+`, auto_provision = `+a.ph(6)+`, modified_at = `+a.ph(7)+
			` WHERE tenant_id = `+a.ph(8)+` AND id = `+a.ph(9),
			p.Name, p.IssuerURL, p.ClientID, p.sealedSecret, strings.Join(p.AllowedDomains, " "),
			a.s.D.Encode(boolean, p.AutoProvision), a.encodeTime(p.ModifiedAt), tenantID, p.ID)
		if err != nil {
			if a.s.D.IsUniqueViolation(err) {
				return fault.Field("name", "duplicate_name", "the tenant has a provider named %s", p.Name).WithKind(fault.Conflict)
			}
			return err
		}
		out = p.OIDCProvider
		return nil
	})
	if err != nil {
		if _, ok := fault.As(err); ok {
			return OIDCProvider{}, err
		}
		return OIDCProvider{}, fmt.Errorf("auth: update identity provider: %w", err)
	}
	return out, nil
}

// DeleteProvider removes a provider and the sign-ins in progress through it. Sessions it opened
// stay valid until they expire or are revoked.
func (o *OIDC) DeleteProvider(ctx context.Context, tenantID, name string) error {
	err := o.a.s.WithTx(ctx, func(ctx context.Context) error {
		p, err := o.provider(ctx, tenantID, name)
		if err != nil {
			return err
		}
		a := o.a
		if _, err := a.s.Exec(ctx, `DELETE FROM oidc_login WHERE tenant_id = `+a.ph(1)+` AND provider_id = `+a.ph(2), tenantID, p.ID); err != nil {
			return err
		}
		_, err = a.s.Exec(ctx, `DELETE FROM oidc_provider WHERE tenant_id = `+a.ph(1)+` AND id = `+a.ph(2), tenantID, p.ID)
		return err
	})
	if err != nil {
		if _, ok := fault.As(err); ok {
			return err
		}
		return fmt.Errorf("auth: delete identity provider: %w", err)
	}
	return nil
}

// Provider returns the provider named name.
func (o *OIDC) Provider(ctx context.Context, tenantID, name string) (OIDCProvider, error) {
	p, err := o.provider(ctx, tenantID, name)
	if err != nil {
		return OIDCProvider{}, err
	}
	return p.OIDCProvider, nil
}

const providerSelect = `SELECT p.id, p.name, p.issuer_url, p.client_id, p.client_secret, p.allowed_domains, p.auto_provision,
		p.created_at, p.modified_at, n.slug
	FROM oidc_provider p JOIN tenant n ON n.id = p.tenant_id`

func (o *OIDC) provider(ctx context.Context, tenantID, name string) (*providerRow, error) {
	rows, err := o.a.s.DB(ctx).QueryContext(ctx, providerSelect+` WHERE p.tenant_id = `+o.a.ph(1)+
		` AND p.name = `+o.a.ph(2), tenantID, name)
	if err != nil {
		return nil, fmt.Errorf("auth: identity provider: %w", err)
	}
	all, err := o.scanProviders(tenantID, rows)
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, errProviderNotFound()
	}
	return all[0], nil
}

// ProviderCount is the number of identity providers of every tenant in the database (for the
// server's start-up checks).
func (o *OIDC) ProviderCount(ctx context.Context) (int, error) {
	var n int
	if err := o.a.s.DB(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM oidc_provider`).Scan(&n); err != nil {
		return 0, fmt.Errorf("auth: count identity providers: %w", err)
	}
	return n, nil
}

// ListProviders returns the providers of a tenant by name.
func (o *OIDC) ListProviders(ctx context.Context, tenantID string) ([]OIDCProvider, error) {
	rows, err := o.a.s.DB(ctx).QueryContext(ctx, providerSelect+` WHERE p.tenant_id = `+o.a.ph(1)+
		` ORDER BY p.name`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("auth: list identity providers: %w", err)
	}
	all, err := o.scanProviders(tenantID, rows)
	if err != nil {
		return nil, err
	}
	out := make([]OIDCProvider, len(all))
	for i, p := range all {
		out[i] = p.OIDCProvider
	}
	return out, nil
}

func (o *OIDC) scanProviders(tenantID string, rows *sql.Rows) ([]*providerRow, error) {
	defer rows.Close()
	var out []*providerRow
	for rows.Next() {
		p := &providerRow{OIDCProvider: OIDCProvider{TenantID: tenantID}}
		var domains string
		var auto, created, modified any
		if err := rows.Scan(&p.ID, &p.Name, &p.IssuerURL, &p.ClientID, &p.sealedSecret, &domains, &auto, &created, &modified, &p.TenantSlug); err != nil {
			return nil, fmt.Errorf("auth: identity provider: %w", err)
		}
		var err error
		if p.AutoProvision, err = o.a.decodeBool(auto); err == nil {
			if p.CreatedAt, err = o.a.decodeTime(created); err == nil {
				p.ModifiedAt, err = o.a.decodeTime(modified)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("auth: identity provider: %w", err)
		}
		p.AllowedDomains, p.HasClientSecret = splitScopes(domains), p.sealedSecret != ""
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("auth: identity provider: %w", err)
	}
	return out, nil
}

// discoveryTTL is how long a provider's discovery document is trusted; its signing keys are
// fetched again whenever a token names a key not seen before.
const discoveryTTL = time.Hour

type discovered struct {
	p  *oidc.Provider
	at time.Time
}

// discover returns the provider at issuer from its discovery document (cached).
func (o *OIDC) discover(ctx context.Context, issuer string) (*oidc.Provider, error) {
	now := o.a.now()
	o.mu.Lock()
	d, ok := o.discovered[issuer]
	o.mu.Unlock()
	if ok && now.Sub(d.at) < discoveryTTL {
		return d.p, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, o.http), issuer)
	if err != nil {
		var mismatch *oidc.IssuerMismatchError
		if errors.As(err, &mismatch) {
			return nil, fault.Wrap(fault.Invalid, "issuer_mismatch",
				"the identity provider names itself differently from the configured issuer_url", err).WithTarget("issuer_url")
		}
		return nil, fmt.Errorf("auth: discovery of %s: %w", issuer, err)
	}
	o.mu.Lock()
	if len(o.discovered) > 1000 {
		clear(o.discovered)
	}
	o.discovered[issuer] = discovered{p: p, at: now}
	o.mu.Unlock()
	return p, nil
}
