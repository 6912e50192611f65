package app

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/posflag"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/pflag"

	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/gateway"
)

// Config is Meridian's configuration. Values come from, in increasing priority: defaults, the
// YAML config file (--config or MERIDIAN_CONFIG), MERIDIAN_* environment variables, and flags.
type Config struct {
	// Clock, when set, is the time every service reads (tests move it by hand); not configurable
	// from outside.
	Clock           func() time.Time `koanf:"-"`
	Addr            string           `koanf:"addr"`
	DB              string           `koanf:"db"`
	LogLevel        string           `koanf:"log_level"`
	LogFormat       string           `koanf:"log_format"` // text or json
	AdminEmail      string           `koanf:"admin_email"`
	AdminPassword   string           `koanf:"admin_password"`
	AdminName       string           `koanf:"admin_name"`
	Tenant          string           `koanf:"tenant"` // slug of the tenant bootstrap and CLI commands act on
	DefaultPageSize int              `koanf:"default_page_size"`
	MaxPageSize     int              `koanf:"max_page_size"`
	MaxBodyBytes    int64            `koanf:"max_body_bytes"`
	SessionTTL      time.Duration    `koanf:"session_ttl"`
	// MergeUndoWindow is how long a merge of duplicates can be undone (MERIDIAN_MERGE_UNDO_WINDOW).
	MergeUndoWindow time.Duration `koanf:"merge_undo_window"`
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
	DataDir         string        `koanf:"data_dir"` // files the server keeps: uploaded imports and their error files
	// Slow clients (deadline.go, docs/security.md): the time to send a request's headers, the
	// time to send its body — extended by a second for every ReadBodyMinRate bytes received, so
	// that uploads may take longer while they keep coming — and how long a kept-alive
	// connection may sit idle. 0 turns one off.
	ReadHeaderTimeout time.Duration `koanf:"read_header_timeout"`
	ReadBodyTimeout   time.Duration `koanf:"read_body_timeout"`
	ReadBodyMinRate   int64         `koanf:"read_body_min_rate"` // bytes per second
	IdleTimeout       time.Duration `koanf:"idle_timeout"`
	// PluginsDir is the folder of web client plugins (MERIDIAN_PLUGINS_DIR, --plugins-dir), one
	// sub-folder with a plugin.json per plugin (docs/plugins.md); empty: no plugins.
	PluginsDir string `koanf:"plugins_dir"`
	// Placements names the databases a tenant can be pinned to (hybrid deployment), as
	// "name=DSN;name2=DSN2" (MERIDIAN_PLACEMENTS). The main database (DB) is the tenant directory.
	Placements string `koanf:"placements"`
	// DBAppRole, on PostgreSQL, is the role requests run as (MERIDIAN_DB_APP_ROLE): each request's
	// connection SETs this role and its tenant, so row-level security filters every query of
	// the request. A named role must exist, be neither a superuser nor the tables' owner,
	// without BYPASSRLS, and the server's login must be a member of it (GRANT meridian_app TO
	// <server login>). Empty: the server's own "<database>_meridian_app", created when missing
	// (or the server refuses to start). "off": requests run as the server's login, outside
	// row-level security (development only). Ignored on SQLite.
	DBAppRole string `koanf:"db_app_role"`
	// GroupCommit (MERIDIAN_GROUP_COMMIT), "on" (the default) or "off": concurrent single-record
	// writes of the API share database transactions, each in a savepoint of its own
	// (docs/architecture.md, "Group commit").
	GroupCommit string `koanf:"group_commit"`
	// PublicURL is the external base URL (https://crm.example.com): single sign-on needs it for
	// its redirect URI, and the links the API emits start with it. Empty: no single sign-on, and
	// links relative to the server ("/api/v1/…"). Never taken from a request's Host header.
	PublicURL string `koanf:"public_url"`
	// SecretKey (32 bytes, hex or base64) seals secrets the server must read back: identity
	// providers' client secrets and TOTP secrets. Empty: they are stored in clear.
	SecretKey string `koanf:"secret_key"`

	// Import limits (docs/import.md#size-limits): what an import file may expand to. Each bounds the
	// memory or the work one file can cost the server.
	ImportMaxRows               int64 `koanf:"import_max_rows"`                 // data rows of a file
	ImportMaxCells              int64 `koanf:"import_max_cells"`                // cells of a file
	ImportMaxCellBytes          int   `koanf:"import_max_cell_bytes"`           // bytes of one cell
	ImportMaxRowBytes           int   `koanf:"import_max_row_bytes"`            // bytes of one row (a CSV record as written)
	ImportMaxXLSXBytes          int64 `koanf:"import_max_xlsx_bytes"`           // bytes a workbook's parts read expand to
	ImportMaxSharedStringsBytes int64 `koanf:"import_max_shared_strings_bytes"` // bytes a workbook's shared strings expand to (held in memory)

	// Gateway limits, per server process (docs/security.md). Rates read "6000/5m"; "off" or "0"
	// turns one off.
	RateLimit        string `koanf:"rate_limit"`        // requests per user, and per API key
	TenantRateLimit  string `koanf:"tenant_rate_limit"` // requests per tenant (all its users and keys)
	LoginRateLimit   string `koanf:"login_rate_limit"`  // sign-in attempts per client address
	ConcurrencyLimit int    `koanf:"concurrency_limit"` // requests in flight per user, and per API key; 0: off

	// Sign-in hardening (docs/security.md, Authentication).
	LoginMaxFailures   int           `koanf:"login_max_failures"`    // failed sign-ins in a row that lock an email address; 0: never
	LoginLockout       time.Duration `koanf:"login_lockout"`         // the first lock (doubling on repeat, up to a day), and the client address window
	LoginIPMaxFailures int           `koanf:"login_ip_max_failures"` // failed sign-ins from one client address within login_lockout that block it; 0: never
	CookieSecure       string        `koanf:"cookie_secure"`         // auto (Secure unless addr is a loopback address), true or false
}

// DefaultDB is the embedded database used when none is configured.
const DefaultDB = "sqlite:./meridian-data/meridian.db"

// DefaultDataDir is where the server keeps files when MERIDIAN_DATA_DIR does not say.
const DefaultDataDir = "./meridian-data"

// Defaults returns the built-in configuration.
func Defaults() Config {
	return Config{
		Addr: "127.0.0.1:8080", DB: DefaultDB, LogLevel: "info", LogFormat: "text", AdminName: "Administrator",
		Tenant: "default", GroupCommit: "on", DefaultPageSize: 500, MaxPageSize: 5000, MaxBodyBytes: 4 << 20,
		SessionTTL: 12 * time.Hour, MergeUndoWindow: 24 * time.Hour, ShutdownTimeout: 15 * time.Second, DataDir: DefaultDataDir,
		ReadHeaderTimeout: 10 * time.Second, ReadBodyTimeout: 10 * time.Second, ReadBodyMinRate: 4 << 10, IdleTimeout: 2 * time.Minute,
		// Dataverse's service protection limits per user; tenants unlimited unless the operator
		// of a shared server says otherwise.
		RateLimit: "6000/5m", TenantRateLimit: "off", LoginRateLimit: "20/1m", ConcurrencyLimit: 52,
		LoginMaxFailures: 5, LoginLockout: 15 * time.Minute, LoginIPMaxFailures: 20, CookieSecure: "auto",
		ImportMaxRows: exchange.DefaultMaxRows, ImportMaxCells: exchange.DefaultMaxCells, ImportMaxCellBytes: exchange.DefaultMaxCellBytes,
		ImportMaxRowBytes: exchange.DefaultMaxRowBytes, ImportMaxXLSXBytes: exchange.DefaultMaxXLSXBytes,
		ImportMaxSharedStringsBytes: exchange.DefaultMaxSharedStringsBytes,
	}
}

// ImportLimits returns the import limits.
func (c Config) ImportLimits() exchange.Limits {
	return exchange.Limits{MaxRows: c.ImportMaxRows, MaxCells: c.ImportMaxCells, MaxCellBytes: c.ImportMaxCellBytes,
		MaxRowBytes: c.ImportMaxRowBytes, MaxXLSXBytes: c.ImportMaxXLSXBytes, MaxSharedStringsBytes: c.ImportMaxSharedStringsBytes}
}

// AddFlags registers the flags shared by the commands that touch data.
func AddFlags(fs *pflag.FlagSet) {
	d := Defaults()
	fs.String("config", "", "YAML configuration file (env MERIDIAN_CONFIG)")
	fs.String("db", d.DB, "database: sqlite:PATH or postgres://… (env MERIDIAN_DB)")
	fs.String("tenant", d.Tenant, "tenant slug (env MERIDIAN_TENANT)")
	fs.String("log-level", d.LogLevel, "debug, info, warn or error (env MERIDIAN_LOG_LEVEL)")
	fs.String("log-format", d.LogFormat, "text or json (env MERIDIAN_LOG_FORMAT)")
}

// AddServeFlags registers the flags of the commands that serve the web client (serve, demo).
func AddServeFlags(fs *pflag.FlagSet) {
	fs.String("plugins-dir", "", "folder of web client plugins, one sub-folder with a plugin.json each (env MERIDIAN_PLUGINS_DIR); default none")
}

// Load builds the configuration from the sources above. Flags count only when set explicitly.
func Load(fs *pflag.FlagSet) (Config, error) {
	k := koanf.New(".")
	d := Defaults()
	set := func(key string, v any) { _ = k.Set(key, v) }
	set("addr", d.Addr)
	set("db", d.DB)
	set("log_level", d.LogLevel)
	set("log_format", d.LogFormat)
	set("admin_name", d.AdminName)
	set("tenant", d.Tenant)
	set("default_page_size", d.DefaultPageSize)
	set("max_page_size", d.MaxPageSize)
	set("max_body_bytes", d.MaxBodyBytes)
	set("session_ttl", d.SessionTTL.String())
	set("merge_undo_window", d.MergeUndoWindow.String())
	set("shutdown_timeout", d.ShutdownTimeout.String())
	set("read_header_timeout", d.ReadHeaderTimeout.String())
	set("read_body_timeout", d.ReadBodyTimeout.String())
	set("read_body_min_rate", d.ReadBodyMinRate)
	set("idle_timeout", d.IdleTimeout.String())
	set("data_dir", d.DataDir)
	set("rate_limit", d.RateLimit)
	set("tenant_rate_limit", d.TenantRateLimit)
	set("login_rate_limit", d.LoginRateLimit)
	set("concurrency_limit", d.ConcurrencyLimit)
	set("login_max_failures", d.LoginMaxFailures)
	set("login_lockout", d.LoginLockout.String())
	set("login_ip_max_failures", d.LoginIPMaxFailures)
	set("cookie_secure", d.CookieSecure)
	set("import_max_rows", d.ImportMaxRows)
	set("import_max_cells", d.ImportMaxCells)
	set("import_max_cell_bytes", d.ImportMaxCellBytes)
	set("import_max_row_bytes", d.ImportMaxRowBytes)
	set("import_max_xlsx_bytes", d.ImportMaxXLSXBytes)
	set("import_max_shared_strings_bytes", d.ImportMaxSharedStringsBytes)

	path := os.Getenv("MERIDIAN_CONFIG")
	if fs != nil {
		if f := fs.Lookup("config"); f != nil && f.Changed {
			path = f.Value.String()
		}
	}
	if path != "" {
		if err := k.Load(file.Provider(path), yaml.Parser()); err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	err := k.Load(env.Provider(".", env.Opt{Prefix: "MERIDIAN_", TransformFunc: func(key, v string) (string, any) {
		return strings.ToLower(strings.TrimPrefix(key, "MERIDIAN_")), v
	}}), nil)
	if err != nil {
		return Config{}, fmt.Errorf("config: environment: %w", err)
	}
	if fs != nil {
		err := k.Load(posflag.ProviderWithFlag(fs, ".", k, func(f *pflag.Flag) (string, any) {
			if !f.Changed || f.Name == "config" {
				return "", nil
			}
			return strings.ReplaceAll(f.Name, "-", "_"), posflag.FlagVal(fs, f)
		}), nil)
		if err != nil {
			return Config{}, fmt.Errorf("config: flags: %w", err)
		}
	}
	if v := strings.TrimSpace(k.String("concurrency_limit")); strings.EqualFold(v, "off") {
		set("concurrency_limit", 0)
	} else if _, err := strconv.Atoi(v); err != nil {
		return Config{}, fmt.Errorf("config: concurrency_limit (MERIDIAN_CONCURRENCY_LIMIT) %q: want a whole number of requests in flight, or off", v)
	}
	var c Config
	if err := k.UnmarshalWithConf("", &c, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if _, err := c.GatewayLimits(); err != nil {
		return Config{}, err
	}
	if _, err := c.SecureCookies(); err != nil {
		return Config{}, err
	}
	if c.LoginMaxFailures < 0 || c.LoginIPMaxFailures < 0 || c.LoginLockout <= 0 {
		return Config{}, fmt.Errorf("config: login_max_failures and login_ip_max_failures must be 0 (off) or more, login_lockout positive")
	}
	if _, err := c.PlacementDSNs(); err != nil {
		return Config{}, err
	}
	if c.ReadHeaderTimeout < 0 || c.ReadBodyTimeout < 0 || c.ReadBodyMinRate < 0 || c.IdleTimeout < 0 {
		return Config{}, fmt.Errorf("config: read_header_timeout, read_body_timeout, read_body_min_rate and idle_timeout must be 0 (off) or more")
	}
	if err := checkPublicURL(c.PublicURL); err != nil {
		return Config{}, err
	}
	if err := c.ImportLimits().Check(); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if c.DefaultPageSize <= 0 || c.MaxPageSize <= 0 || c.DefaultPageSize > c.MaxPageSize {
		return Config{}, fmt.Errorf("config: page sizes must be positive and default_page_size ≤ max_page_size")
	}
	return c, nil
}

// GatewayLimits reads the rate and concurrency settings; an error names the setting at fault.
func (c Config) GatewayLimits() (api.GatewayLimits, error) {
	var g api.GatewayLimits
	rates := []struct {
		key, value string
		rate       *gateway.Rate
	}{
		{"rate_limit", c.RateLimit, &g.Rate},
		{"tenant_rate_limit", c.TenantRateLimit, &g.TenantRate},
		{"login_rate_limit", c.LoginRateLimit, &g.LoginRate},
	}
	for _, r := range rates {
		var err error
		if *r.rate, err = gateway.ParseRate(r.value); err != nil {
			return g, fmt.Errorf("config: %s (MERIDIAN_%s): %w", r.key, strings.ToUpper(r.key), err)
		}
	}
	if c.ConcurrencyLimit < 0 {
		return g, fmt.Errorf("config: concurrency_limit (MERIDIAN_CONCURRENCY_LIMIT) %d: want a whole number of requests in flight, or off", c.ConcurrencyLimit)
	}
	g.Concurrency = c.ConcurrencyLimit
	return g, nil
}

// checkPublicURL refuses a public URL that is not an absolute http(s) URL of a host.
func checkPublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("config: public_url (MERIDIAN_PUBLIC_URL) %q: want the absolute URL clients reach the server at, such as https://crm.example.com", s)
	}
	return nil
}

// PlacementDSNs parses Placements into name → database.
func (c Config) PlacementDSNs() (map[string]string, error) {
	out := map[string]string{}
	for _, part := range strings.Split(c.Placements, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, dsn, ok := strings.Cut(part, "=")
		name, dsn = strings.TrimSpace(name), strings.TrimSpace(dsn)
		if !ok || !placementName.MatchString(name) || dsn == "" {
			return nil, fmt.Errorf("config: placements (MERIDIAN_PLACEMENTS): %q: want name=DSN with a lower-case name, entries separated by ;", part)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("config: placements: %s is named twice", name)
		}
		out[name] = dsn
	}
	return out, nil
}

var placementName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
