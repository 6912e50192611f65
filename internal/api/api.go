// Package api is Meridian's HTTP interface: the OData v4 REST API over records, the metadata API,
// authentication endpoints, the CSDL and OpenAPI documents, and health probes. It decodes and
// checks requests, calls the domain services, and turns their error kinds into HTTP statuses and
// the JSON error body; no business rule lives here.
package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/audit"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/dedupe"
	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/jobs"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/plugin"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/schema"
	"github.com/meridian-crm/meridian/internal/search"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/views"
)

// Authenticator checks credentials.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (principal.Principal, error)
	Login(ctx context.Context, tenantSlug, email, password string, ttl time.Duration) (string, principal.Principal, error)
	IssueToken(ctx context.Context, tenantID, userID, kind, name string, ttl time.Duration) (string, error)
	Revoke(ctx context.Context, tenantID, tokenPrefixOrID string) error
	Accounts // sign-in with lockout and MFA, API keys (auth.go)
}

// Limits bound what one request may ask for.
type Limits struct {
	MaxBodyBytes  int64 // a record write or metadata change
	MaxBatchBytes int64 // a $batch request
	MaxBatchOps   int   // operations in one $batch
	SessionTTL    time.Duration
	Gateway       GatewayLimits // rate and concurrency limits (gateway.go); zero: off
}

// DefaultLimits are used for zero fields.
var DefaultLimits = Limits{MaxBodyBytes: 4 << 20, MaxBatchBytes: 32 << 20, MaxBatchOps: 1000, SessionTTL: 12 * time.Hour}

// Server serves the HTTP API.
type Server struct {
	records *records.Service
	schema  *schema.Service
	auth    Authenticator
	st      *store.Store
	reg     *metadata.Registry
	log     *slog.Logger
	limits  Limits
	version string
	// UI, when set, serves everything outside /api/ (the web client).
	UI http.Handler
	// Imports, when set, runs the import jobs of /api/v1/imports.
	Imports *exchange.Runner
	// OAuth, when set, registers OAuth2 clients and serves the token endpoint /api/v1/oauth2/token.
	OAuth OAuthClients
	// SSO, when set, serves OpenID Connect single sign-on and its provider settings.
	SSO *auth.OIDC
	// PublicURL is the server's external base URL (e.g. https://crm.example.com), for the
	// single sign-on callback; empty: taken from each request.
	PublicURL string
	// SecureCookies marks the web client's session cookies Secure (auth_cookie.go).
	SecureCookies bool
	// Clock tells the gateway limits the time (nil: time.Now); set it before calling Handler.
	Clock func() time.Time
	// Access, when set, is the security model: it decides who administers a tenant and serves
	// the role, template, share and assign endpoints.
	Access *access.Service
	// Audit, when set, records logins and exports and serves /api/v1/audit.
	Audit *audit.Service
	// Views, when set, serves the saved list views of /api/v1/views.
	Views *views.Service
	// Search, when set, serves the global search /api/v1/search.
	Search *search.Index
	// Dedupe, when set, serves duplicate detection, merge and undo (duplicates.go) and adds the
	// duplicate candidates to the answer of a create.
	Dedupe *dedupe.Service
	// Plugins, when set, are the web client's plugins: listed at /api/v1/plugins, their files
	// served at /plugins/ (plugins.go).
	Plugins *plugin.Set
	// Jobs, when set, is the background job queue a tenant administrator sees at /api/v1/jobs.
	Jobs *jobs.Queue
}

// New returns an API server.
func New(rec *records.Service, sch *schema.Service, auth Authenticator, st *store.Store, reg *metadata.Registry, log *slog.Logger, limits Limits, version string) *Server {
	if limits.MaxBodyBytes == 0 {
		limits.MaxBodyBytes = DefaultLimits.MaxBodyBytes
	}
	if limits.MaxBatchBytes == 0 {
		limits.MaxBatchBytes = DefaultLimits.MaxBatchBytes
	}
	if limits.MaxBatchOps == 0 {
		limits.MaxBatchOps = DefaultLimits.MaxBatchOps
	}
	if limits.SessionTTL == 0 {
		limits.SessionTTL = DefaultLimits.SessionTTL
	}
	return &Server{records: rec, schema: sch, auth: auth, st: st, reg: reg, log: log, limits: limits, version: version}
}

// Handler returns the HTTP handler with every route and middleware.
func (s *Server) Handler() http.Handler {
	g := s.newGate() // each handler keeps its own limits, like each process
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	login := s.limitIP(g, s.login)
	mux.Handle("POST /api/v1/auth/login", login)
	mux.HandleFunc("/api/v1/auth/login", func(w http.ResponseWriter, r *http.Request) {
		s.methods(w, r, map[string]http.HandlerFunc{"POST": login.ServeHTTP})
	})
	mux.Handle("POST /api/v1/auth/mfa/verify", s.limitIP(g, s.verifyMFA))

	authed := http.NewServeMux()
	authed.HandleFunc("GET /api/v1/auth/me", s.me)
	authed.HandleFunc("PATCH /api/v1/auth/me", s.updateMe)
	authed.HandleFunc("POST /api/v1/auth/logout", s.logout)
	authed.HandleFunc("POST /api/v1/auth/apikeys", s.createAPIKey)
	authed.HandleFunc("GET /api/v1/$metadata", s.csdl)
	authed.HandleFunc("GET /api/v1/openapi.json", s.openapi)
	authed.HandleFunc("POST /api/v1/$batch", s.batch)
	authed.HandleFunc("GET /api/v1/metadata/entities", s.listEntities)
	authed.HandleFunc("POST /api/v1/metadata/entities", s.createEntity)
	authed.HandleFunc("GET /api/v1/metadata/entities/{name}", s.getEntity)
	authed.HandleFunc("PATCH /api/v1/metadata/entities/{name}", s.updateEntity)
	authed.HandleFunc("DELETE /api/v1/metadata/entities/{name}", s.deleteEntity)
	authed.HandleFunc("GET /api/v1/metadata/entities/{name}/attributes", s.listAttributes)
	authed.HandleFunc("POST /api/v1/metadata/entities/{name}/attributes", s.addAttribute)
	authed.HandleFunc("GET /api/v1/metadata/entities/{name}/attributes/{attr}", s.getAttribute)
	authed.HandleFunc("PATCH /api/v1/metadata/entities/{name}/attributes/{attr}", s.updateAttribute)
	authed.HandleFunc("DELETE /api/v1/metadata/entities/{name}/attributes/{attr}", s.deleteAttribute)
	authed.HandleFunc("GET /api/v1/metadata/relationships", s.listRelationships)
	authed.HandleFunc("POST /api/v1/metadata/relationships", s.createRelationship)
	authed.HandleFunc("DELETE /api/v1/metadata/relationships/{name}", s.deleteRelationship)
	s.routeImports(authed)
	s.routeOAuth(mux, authed, func(h http.HandlerFunc) http.Handler { return s.limitIP(g, h) })
	s.routeAuth(authed)
	s.routeSecurity(authed)
	s.routeAudit(authed)
	s.routeViews(authed)
	s.routeSearch(authed)
	s.routeIntake(authed)
	s.routeJobs(authed)
	s.routeDuplicates(authed)
	s.routePlugins(mux, authed)
	authed.HandleFunc("/api/v1/", s.odata)
	mux.Handle("/api/", s.requireAuth(s.limitCaller(g, authed)))
	if s.UI != nil {
		mux.Handle("/", s.UI)
	} else {
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, fault.Newf(fault.NotFound, "not_found", "%s is not a Meridian endpoint; the API is under /api/v1/", r.URL.Path))
		})
	}
	return s.recoverer(s.requestLog(s.refuseNULInURL(markBodies(mux))))
}

type ctxKey int

const requestIDKey ctxKey = 0

// RequestID returns the request id of ctx ("" outside a request).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
	caller callerNote // filled in by the gateway once the caller is known
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// requestLog assigns a request id and logs every request with its latency.
func (s *Server) requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if id == "" || len(id) > 100 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-ID", id)
		rec := &statusRecorder{ResponseWriter: w}
		ctx := context.WithValue(r.Context(), requestIDKey, id)
		ctx = withCallerNote(ctx, &rec.caller)
		ctx = principal.WithOrigin(ctx, principal.Origin{IP: remoteIP(r), UserAgent: r.UserAgent(), RequestID: id})
		next.ServeHTTP(rec, r.WithContext(ctx))
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.Int("bytes", rec.bytes), slog.Duration("latency", time.Since(start)), slog.String("request_id", id),
			slog.String("remote", r.RemoteAddr), slog.String("tenant_id", rec.caller.tenantID), slog.String("user_id", rec.caller.userID))
	})
}

// remoteIP is the address of the peer (without the port). Forwarded headers are not trusted:
// a proxy in front of Meridian must be configured to pass the client address another way.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.ErrorContext(r.Context(), "panic", "value", v, "stack", string(debug.Stack()))
				writeJSON(w, http.StatusInternalServerError, errorBody{Error: errorDetail{Code: "internal_error", Message: "the server failed to process the request; it has been logged"}})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// requireAuth admits requests with a valid bearer token or session cookie (with its CSRF token)
// and puts the principal in the context.
func (s *Server) requireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, viaCookie := s.credential(r)
		if token == "" {
			s.writeError(w, r, fault.New(fault.Unauthenticated, "unauthenticated", "sign in first: send Authorization: Bearer <token or API key>"))
			return
		}
		p, err := s.auth.Authenticate(r.Context(), token)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if r, err = s.admit(r, p, token, viaCookie); err != nil {
			s.writeError(w, r, err)
			return
		}
		if s.Access != nil {
			// Administration follows the caller's security roles, whatever the credential says.
			if p.Admin, err = s.Access.Admit(principal.With(r.Context(), p)); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		// With an application role, the request runs on a connection limited to its tenant.
		ctx, release, err := s.st.ForTenant(r.Context(), p.TenantID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		defer release()
		// The request reads one snapshot of its tenant's data model.
		m, err := s.reg.Model(ctx, p.TenantID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		ctx = metadata.WithModel(ctx, m)
		next.ServeHTTP(w, r.WithContext(principal.With(ctx, p)))
	})
}

// model returns the data model of the request's tenant (the snapshot requireAuth pinned).
func (s *Server) model(r *http.Request) (*metadata.Model, error) {
	p, _ := principalOf(r)
	return s.reg.Model(r.Context(), p.TenantID)
}

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database unreachable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}
