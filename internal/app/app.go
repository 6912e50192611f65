// Package app wires Meridian together: configuration → store → metadata → services → HTTP
// server, with start-up (migrations, system schema sync, bootstrap admin) and graceful shutdown.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/audit"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/dedupe"
	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/jobs"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/people"
	"github.com/meridian-crm/meridian/internal/plugin"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/routing"
	"github.com/meridian-crm/meridian/internal/sales"
	"github.com/meridian-crm/meridian/internal/schema"
	"github.com/meridian-crm/meridian/internal/search"
	"github.com/meridian-crm/meridian/internal/service"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/tenant"
	"github.com/meridian-crm/meridian/internal/views"
	"github.com/meridian-crm/meridian/web"
)

// Version is the build's version, set with -ldflags "-X …/internal/app.Version=…".
var Version = "0.1.0-dev"

// App is a running Meridian instance.
type App struct {
	Config   Config
	Store    *store.Store
	Registry *metadata.Registry
	Records  *records.Service
	Schema   *schema.Service
	Auth     *auth.Service
	API      *api.Server
	Imports  *exchange.Runner
	Log      *slog.Logger
	Clock    func() time.Time
	Access   *access.Service
	Audit    *audit.Service
	// Jobs is the durable job queue on this App's database (worked while serving).
	Jobs *jobs.Queue
	// SLA is the worker of the cases' service-level timers (tests run a timer at a time).
	SLA    *service.SLAWorker
	Search *search.Index
	// Dedupe is duplicate detection and merge.
	Dedupe *dedupe.Service

	placement   string          // the placement this App serves ("" for the main App)
	placed      map[string]*App // the placements' Apps (main App only)
	plugins     *plugin.Set     // the web client's plugins (main App only)
	handlerOnce sync.Once
	apiHandler  http.Handler
	stopWatch   func() // stops following other servers' metadata changes
}

// MetadataPollInterval is how often a server looks for metadata changes other servers on the
// same database committed: a change made on one server is served by the others within it.
const MetadataPollInterval = 250 * time.Millisecond

// NewLogger returns the logger the configuration asks for.
func NewLogger(c Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// Open connects to the database, applies migrations, brings system tables up to date with the
// shipped metadata and builds the services.
func Open(ctx context.Context, c Config, log *slog.Logger) (*App, error) {
	st, err := store.Open(ctx, c.DB)
	if err != nil {
		return nil, err
	}
	a, err := open(ctx, c, log, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	if err := a.openPlacements(ctx); err != nil {
		a.Close()
		return nil, err
	}
	if err := a.loadPlugins(); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// loadPlugins reads the plugins folder (PluginsDir) once and gives it to the API of every
// placement: plugins belong to the server, not to a tenant. A plugin with an invalid manifest is
// logged and left out; only an unreadable folder stops the start.
func (a *App) loadPlugins() error {
	set, skipped, err := plugin.Load(a.Config.PluginsDir)
	if err != nil {
		return err
	}
	for _, e := range skipped {
		a.Log.Error("plugin skipped", "err", e)
	}
	if a.Config.PluginsDir != "" {
		names := make([]string, 0)
		for _, p := range set.List() {
			names = append(names, p.Name+"@"+p.Version)
		}
		a.Log.Info("plugins loaded", "dir", a.Config.PluginsDir, "plugins", names, "skipped", len(skipped))
	}
	a.plugins = set
	for _, inst := range append([]*App{a}, a.placedApps()...) {
		inst.API.Plugins = set
	}
	return nil
}

func open(ctx context.Context, c Config, log *slog.Logger, st *store.Store) (*App, error) {
	switch c.GroupCommit {
	case "on", "":
		st.GroupCommit = true
	case "off":
	default:
		return nil, fmt.Errorf("group_commit (MERIDIAN_GROUP_COMMIT) is %q: on or off", c.GroupCommit)
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		return nil, err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "versions", applied, "db", st.URL)
	}
	if err := jobs.Migrate(ctx, st); err != nil { // River's tables, before any grants below
		return nil, err
	}
	sys, err := metadata.System()
	if err != nil {
		return nil, err
	}
	model, err := st.SyncSystem(ctx, sys, c.Tenant)
	if err != nil {
		return nil, err
	}
	reg := metadata.NewRegistry(model, st)
	// Follow the metadata changes other servers on the database make (the tenants' models they
	// change are built again on next use).
	if err := reg.Sync(ctx); err != nil {
		return nil, err
	}
	clock := time.Now
	if c.Clock != nil {
		clock = c.Clock
	}
	if err := useAppRole(ctx, c, st, log); err != nil {
		return nil, err
	}
	acc := access.New(st, reg, clock)
	ropts := records.Options{Clock: clock, Access: acc}
	aud := audit.NewService(st, clock)
	aud.DefaultPageSize, aud.MaxPageSize = c.DefaultPageSize, c.MaxPageSize
	ropts.Auditor = aud
	acc.Events = func(ctx context.Context, action, entity, id string, details map[string]any) error {
		return aud.Event(ctx, audit.Event{Action: action, Entity: entity, RecordID: id, Details: details})
	}
	// The security model (Access) and the audit trail (Auditor) plug into the records service here.
	rec := records.NewService(st, reg, ropts)
	rec.DefaultPageSize, rec.MaxPageSize = c.DefaultPageSize, c.MaxPageSize
	// The write pipeline's hooks (records.Hook), each from the package that owns the behaviour.
	auth.WireUsers(rec)        // user e-mail addresses folded for sign-in
	people.Wire(rec)           // contacts' and leads' full names
	routing.Wire(rec)          // new leads and cases follow the assignment rules
	service.WireKnowledge(rec) // the knowledge article workflow's rules for plain writes
	service.WireCases(rec)     // resolved and canceled cases are closed to plain writes
	sales.Wire(rec)            // so are qualified and disqualified leads, won and lost opportunities
	sch := schema.NewService(st, reg)
	sch.Events = acc.Events // metadata changes are on the audit trail too
	au := auth.NewService(st, clock)
	gl, err := c.GatewayLimits()
	if err != nil {
		return nil, err
	}
	srv := api.New(rec, sch, au, st, reg, log, api.Limits{MaxBodyBytes: c.MaxBodyBytes, SessionTTL: c.SessionTTL, Gateway: gl}, Version)
	if err := wireOAuth(c, srv, au, rec, acc); err != nil {
		return nil, err
	}
	srv.Clock = clock
	srv.UI = web.Handler() // nil when built with -tags noui
	if err := wireAuth(c, au, srv); err != nil {
		return nil, err
	}
	srv.Access = acc
	srv.Audit = aud
	vs := views.NewService(st, reg, acc, clock)
	vs.Events = acc.Events // saved views are configuration: on the audit trail too
	srv.Views = vs
	dup := dedupe.Wire(rec) // keeps the duplicate key index in every write's transaction
	dup.Events = acc.Events
	if c.MergeUndoWindow > 0 {
		dup.UndoWindow = c.MergeUndoWindow
	}
	srv.Dedupe = dup
	imports := exchange.NewRunner(newImporter(rec, dup, c.ImportLimits()), c.DataDir, log)
	srv.Imports = imports
	idx := search.New(st, reg)
	srv.Search = idx
	a := &App{Config: c, Store: st, Registry: reg, Records: rec, Schema: sch, Auth: au, API: srv, Imports: imports, Log: log, Clock: clock, Access: acc, Audit: aud, Search: idx, Dedupe: dup}
	if err := a.openJobs(ctx); err != nil {
		return nil, err
	}
	watchCtx, stopWatch := context.WithCancel(context.Background())
	a.stopWatch = stopWatch
	go reg.Watch(watchCtx, MetadataPollInterval, func(err error) { log.Warn("following metadata changes", "err", err) })
	return a, nil
}

// Close stops the running imports (they resume at the next start) and releases the database.
func (a *App) Close() error {
	var errs []error
	for _, child := range a.placed {
		errs = append(errs, child.Close())
	}
	a.Imports.Close()
	if a.stopWatch != nil {
		a.stopWatch()
	}
	errs = append(errs, a.plugins.Close())
	errs = append(errs, a.Store.Close())
	return errors.Join(errs...)
}

// EnsureTenant returns the tenant with slug, creating it when it does not exist.
func (a *App) EnsureTenant(ctx context.Context, slug, name string) (*tenant.Tenant, error) {
	t, err := tenant.BySlug(ctx, a.Store, slug)
	if err == nil {
		// Tenants created before the security model get its defaults on first use.
		if _, _, err := a.Access.EnsureDefaults(ctx, a.Records, t.ID, t.Name); err != nil {
			return nil, fmt.Errorf("tenant %s: security defaults: %w", slug, err)
		}
		if err := service.EnsureSLAPolicies(ctx, a.Records, t.ID); err != nil {
			return nil, fmt.Errorf("tenant %s: %w", slug, err)
		}
		return t, nil
	}
	if !fault.Is(err, fault.NotFound) {
		return nil, err
	}
	t, err = tenant.Create(ctx, a.Store, name, slug, a.Clock())
	if err != nil {
		return nil, err
	}
	if _, _, err := a.Access.EnsureDefaults(ctx, a.Records, t.ID, t.Name); err != nil {
		return nil, fmt.Errorf("tenant %s: security defaults: %w", slug, err)
	}
	if err := service.EnsureSLAPolicies(ctx, a.Records, t.ID); err != nil {
		return nil, fmt.Errorf("tenant %s: %w", slug, err)
	}
	return t, nil
}

// CreateUser creates a user record through the records service, in the tenant's root business
// unit, sets its password and gives it the named security roles. The record, the credential and
// the roles are written in one transaction: a refused password or unknown role leaves no user
// behind.
func (a *App) CreateUser(ctx context.Context, tenantID, email, name, password string, roles ...string) (string, error) {
	if err := auth.CheckPasswordPolicy(password, auth.PasswordUser{Email: email, Name: name}); err != nil {
		return "", err
	}
	var id string
	err := a.Store.WithTx(ctx, func(ctx context.Context) error {
		sys := principal.With(ctx, principal.System(tenantID))
		_, root, err := a.Access.EnsureDefaults(ctx, a.Records, tenantID, "Organization")
		if err != nil {
			return err
		}
		rec, err := a.Records.Create(sys, "user", records.Input{"email": email, "full_name": name, "business_unit_id": root})
		if err != nil {
			return err
		}
		id = rec.ID()
		for _, role := range roles {
			r, err := a.Access.RoleByName(sys, tenantID, role)
			if err != nil {
				return err
			}
			if err := a.Access.AssignRole(sys, r.ID, id); err != nil {
				return err
			}
		}
		return a.Auth.SetPassword(ctx, tenantID, id, password)
	})
	return id, err
}

// Bootstrap creates the configured tenant and, when MERIDIAN_ADMIN_EMAIL and
// MERIDIAN_ADMIN_PASSWORD are set and that user does not exist yet, its administrator.
func (a *App) Bootstrap(ctx context.Context) error {
	t, err := a.EnsureTenant(ctx, a.Config.Tenant, strings.ToUpper(a.Config.Tenant[:1])+a.Config.Tenant[1:])
	if err != nil {
		return fmt.Errorf("bootstrap: tenant: %w", err)
	}
	if a.Config.AdminEmail == "" || a.Config.AdminPassword == "" {
		return nil
	}
	sys := principal.With(ctx, principal.System(t.ID))
	if id, err := a.Records.IDByKey(sys, "user", map[string]string{"email": strings.ToLower(a.Config.AdminEmail)}); err == nil {
		// An administrator created before the security model existed keeps administering.
		return a.Access.GrantAdmin(sys, t.ID, id)
	}
	if _, err := a.CreateUser(ctx, t.ID, a.Config.AdminEmail, a.Config.AdminName, a.Config.AdminPassword, access.AdminRole); err != nil {
		return fmt.Errorf("bootstrap: admin %s: %w", a.Config.AdminEmail, err)
	}
	a.Log.Info("administrator created", "email", a.Config.AdminEmail, "tenant", t.Slug)
	return nil
}

// Serve listens on the configured address until ctx is cancelled, then shuts down gracefully.
// ready, when not nil, receives the bound address once the listener is open.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", a.Config.Addr, err)
	}
	srv := &http.Server{
		Handler:           bodyDeadlines(a.Handler(), a.Config.ReadBodyTimeout, a.Config.ReadBodyMinRate),
		ReadHeaderTimeout: a.Config.ReadHeaderTimeout,
		IdleTimeout:       a.Config.IdleTimeout,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("meridian listening", "addr", ln.Addr().String(), "db", a.Store.URL, "version", Version)
	for _, inst := range append([]*App{a}, a.placedApps()...) {
		inst.warnSSOWithoutPublicURL(ctx)
		if n, err := inst.Imports.Resume(ctx); err != nil {
			inst.Log.Error("resuming imports", "err", err)
		} else if n > 0 {
			inst.Log.Info("imports resumed", "jobs", n)
		}
		go inst.Audit.RunRetention(ctx, time.Hour, inst.Log) // purges entries past each tenant's retention
		if err := inst.Jobs.Start(ctx); err != nil {
			return fmt.Errorf("jobs: %w", err)
		}
		go inst.Search.Run(ctx, 2*time.Second, inst.Log) // keeps the search index caught up with the change log
		go inst.backfillDuplicates(ctx)
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	g := a.Store.GroupStats()
	a.Log.Info("shutting down", "group_commit_transactions", g.Transactions, "group_commit_writes", g.Writes)
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	for _, inst := range append([]*App{a}, a.placedApps()...) {
		if err := inst.Jobs.Stop(sctx); err != nil {
			a.Log.Warn("stopping the job queue", "err", err)
		}
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// placedApps returns the placements' Apps in name order.
func (a *App) placedApps() []*App {
	out := make([]*App, 0, len(a.placed))
	for _, name := range a.Placements() {
		out = append(out, a.placed[name])
	}
	return out
}

// NewImporter returns an importer of the app's records, as the server's import jobs use: rows
// with possible duplicates among existing records are imported, with a warning naming them.
func (a *App) NewImporter() *exchange.Importer {
	return newImporter(a.Records, a.Dedupe, a.Config.ImportLimits())
}

func newImporter(rec *records.Service, dup *dedupe.Service, lim exchange.Limits) *exchange.Importer {
	im := exchange.NewImporter(rec)
	im.Limits = lim
	im.Duplicates = dup.DescribeMany
	return im
}

// backfillDuplicates indexes, once, the records written before the duplicate key index existed.
func (a *App) backfillDuplicates(ctx context.Context) {
	if n, err := a.Dedupe.Backfill(ctx); err != nil && ctx.Err() == nil {
		a.Log.Error("duplicate index backfill failed", "err", err)
	} else if n > 0 {
		a.Log.Info("duplicate index backfilled", "entities", n)
	}
}
