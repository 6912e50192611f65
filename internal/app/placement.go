package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// Hybrid deployment: a tenant can be pinned to a database of its own (a sensitive customer's
// data on its own server, on premises, while the rest runs in the cloud). The main database's
// tenant table is the installation's directory: every tenant has a row there, and a pinned
// tenant's row names its placement. The pinned database is a complete Meridian database (the
// same migrations and system schema) holding that tenant — same id and slug — with its users,
// credentials, records, audit trail and custom entities. The server opens one App per placement
// and routes every request to the App that holds the caller's tenant.

// openPlacements opens an App for every configured placement.
func (a *App) openPlacements(ctx context.Context) error {
	dsns, err := a.Config.PlacementDSNs()
	if err != nil {
		return err
	}
	names := make([]string, 0, len(dsns))
	for name := range dsns {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		dsn := dsns[name]
		if dsn == a.Config.DB {
			return fmt.Errorf("placement %s: its database is the main database", name)
		}
		st, err := store.Open(ctx, dsn)
		if err != nil {
			return fmt.Errorf("placement %s: %w", name, err)
		}
		c := a.Config
		c.DB, c.Placements = dsn, ""
		log := a.Log
		if log == nil {
			log = slog.Default()
		}
		child, err := open(ctx, c, log.With("placement", name), st)
		if err != nil {
			st.Close()
			return fmt.Errorf("placement %s: %w", name, err)
		}
		child.placement = name
		if a.placed == nil {
			a.placed = map[string]*App{}
		}
		a.placed[name] = child
	}
	return nil
}

// Placements lists the names of the configured placements.
func (a *App) Placements() []string {
	out := make([]string, 0, len(a.placed))
	for name := range a.placed {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Placement returns the App of a placement, or nil.
func (a *App) Placement(name string) *App { return a.placed[name] }

// Instance returns the App that holds the data of tenant t (looked up in this App's directory).
func (a *App) Instance(t *tenant.Tenant) (*App, error) {
	if t.Placement == "" || a.placement != "" {
		return a, nil
	}
	child := a.placed[t.Placement]
	if child == nil {
		return nil, fault.Newf(fault.Unavailable, "placement_unavailable",
			"tenant %s lives in the database %q, which this server is not configured with (MERIDIAN_PLACEMENTS)", t.Slug, t.Placement)
	}
	return child, nil
}

// ForTenant returns the tenant with slug from the directory and the App that holds its data.
func (a *App) ForTenant(ctx context.Context, slug string) (*App, *tenant.Tenant, error) {
	t, err := tenant.BySlug(ctx, a.Store, slug)
	if err != nil {
		return nil, nil, err
	}
	inst, err := a.Instance(t)
	if err != nil {
		return nil, nil, err
	}
	if inst != a {
		if t, err = tenant.BySlug(ctx, inst.Store, slug); err != nil {
			return nil, nil, fmt.Errorf("placement %s: %w", inst.placement, err)
		}
	}
	return inst, t, nil
}

// CreateTenant creates a tenant with its security defaults — pinned to the database of
// placement when it is not "" — and enters it in the directory. The two databases are written
// one after the other: the directory row first (it claims the slug), and it is removed again if
// the pinned database refuses the tenant.
func (a *App) CreateTenant(ctx context.Context, slug, name, placement string) (*tenant.Tenant, error) {
	if placement == "" {
		if _, err := tenant.BySlug(ctx, a.Store, slug); err == nil {
			return nil, fault.Field("slug", "duplicate_name", "a tenant with slug %s exists", slug).WithKind(fault.Conflict)
		}
		return a.EnsureTenant(ctx, slug, name)
	}
	child := a.placed[placement]
	if child == nil {
		return nil, fault.Field("placement", "unknown_placement", "no placement %q is configured (MERIDIAN_PLACEMENTS has %s)",
			placement, strings.Join(a.Placements(), ", "))
	}
	t := &tenant.Tenant{ID: uuid.Must(uuid.NewV7()).String(), Name: name, Slug: slug, CreatedAt: a.Clock(), Placement: placement}
	dir, err := tenant.Insert(ctx, a.Store, t)
	if err != nil {
		return nil, err
	}
	pinned := *t
	pinned.Placement = ""
	if _, err := tenant.Insert(ctx, child.Store, &pinned); err == nil {
		_, err = child.EnsureTenant(ctx, slug, name)
		if err == nil {
			return dir, nil
		}
	} else if _, derr := tenant.Remove(ctx, a.Store, t.ID); derr != nil {
		return nil, fmt.Errorf("tenant %s: %w (and removing its directory entry failed: %v)", slug, err, derr)
	}
	return nil, fmt.Errorf("tenant %s in placement %s: %w", slug, placement, err)
}

// SetTenantStatus enables or disables a tenant in the directory and in its own database.
func (a *App) SetTenantStatus(ctx context.Context, slug, status string) (*tenant.Tenant, error) {
	t, err := tenant.SetStatus(ctx, a.Store, slug, status)
	if err != nil {
		return nil, err
	}
	inst, err := a.Instance(t)
	if err != nil {
		return nil, err
	}
	if inst != a {
		if _, err := tenant.SetStatus(ctx, inst.Store, slug, status); err != nil {
			return nil, fmt.Errorf("placement %s: %w", inst.placement, err)
		}
	}
	return t, nil
}

// Handler returns the HTTP handler: the API of this App, or, with placements, a router that
// sends each request to the App holding the caller's tenant.
func (a *App) Handler() http.Handler {
	if len(a.placed) == 0 {
		return a.handler()
	}
	return &placementRouter{main: a}
}

// handler returns the App's own API handler, built once.
func (a *App) handler() http.Handler {
	a.handlerOnce.Do(func() { a.apiHandler = a.API.Handler() })
	return a.apiHandler
}

// placementRouter routes requests between the main App and the placements' Apps. A request
// goes to the App of the tenant it names — the "tenant" of a sign-in body, the tenant of an
// OIDC sign-in path, the X-Meridian-Tenant header or ?tenant= parameter — or else to the App
// whose database holds its bearer token or session cookie; anything else to the main App.
type placementRouter struct {
	main   *App
	tokens sync.Map // SHA-256 of a token → *App that accepted it (tokens of pinned tenants only)
	n      int64
	mu     sync.Mutex
}

// TenantHeader names the tenant of an unauthenticated request (sign-in steps, OAuth2 token
// requests) on an installation with pinned tenants.
const TenantHeader = "X-Meridian-Tenant"

func (p *placementRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	inst, err := p.route(r)
	if err != nil {
		p.main.API.WriteError(w, r, err)
		return
	}
	inst.handler().ServeHTTP(w, r)
}

func (p *placementRouter) route(r *http.Request) (*App, error) {
	ctx := r.Context()
	if slug := p.namedTenant(r); slug != "" {
		t, err := tenant.BySlug(ctx, p.main.Store, slug)
		if err != nil {
			return p.main, nil // the main App answers for unknown tenants as it always does
		}
		return p.main.Instance(t)
	}
	token := bearerOrCookie(r)
	if token == "" {
		return p.main, nil
	}
	sum := sha256.Sum256([]byte(token))
	if v, ok := p.tokens.Load(sum); ok {
		return v.(*App), nil
	}
	if _, err := p.main.Auth.Authenticate(ctx, token); err == nil {
		return p.main, nil
	}
	for _, name := range p.main.Placements() {
		child := p.main.placed[name]
		if _, err := child.Auth.Authenticate(ctx, token); err == nil {
			p.remember(sum, child)
			return child, nil
		}
	}
	return p.main, nil // the main App refuses the token with its usual answer
}

func (p *placementRouter) remember(sum [32]byte, inst *App) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.n >= 100000 {
		p.tokens.Clear()
		p.n = 0
	}
	p.tokens.Store(sum, inst)
	p.n++
}

// namedTenant returns the tenant slug a request names, if any.
func (p *placementRouter) namedTenant(r *http.Request) string {
	if v := r.Header.Get(TenantHeader); v != "" {
		return v
	}
	if v := r.URL.Query().Get("tenant"); v != "" {
		return v
	}
	path := strings.TrimPrefix(r.URL.Path, "/api/v1/")
	if rest, ok := strings.CutPrefix(path, "auth/oidc/"); ok {
		if slug, _, _ := strings.Cut(rest, "/"); slug != "providers" {
			return slug
		}
	}
	if r.Method == http.MethodPost && path == "auth/login" && r.Body != nil {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body.Close()
		r.Body = io.NopCloser(bytes.NewReader(body))
		var in struct {
			Tenant string `json:"tenant"`
		}
		if err == nil && json.Unmarshal(body, &in) == nil {
			return in.Tenant
		}
	}
	return ""
}

// bearerOrCookie returns the credential of a request: a bearer token or the session cookie.
func bearerOrCookie(r *http.Request) string {
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	if c, err := r.Cookie(api.SessionCookieName); err == nil {
		return c.Value
	}
	return ""
}
