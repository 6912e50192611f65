package app

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/env/v2"
	"github.com/knadh/koanf/providers/file"
	"github.com/knadh/koanf/providers/posflag"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/pflag"
)

// Config is Meridian's configuration. Values come from, in increasing priority: defaults, the
// YAML config file (--config or MERIDIAN_CONFIG), MERIDIAN_* environment variables, and flags.
type Config struct {
	Addr            string        `koanf:"addr"`
	DB              string        `koanf:"db"`
	LogLevel        string        `koanf:"log_level"`
	LogFormat       string        `koanf:"log_format"` // text or json
	AdminEmail      string        `koanf:"admin_email"`
	AdminPassword   string        `koanf:"admin_password"`
	AdminName       string        `koanf:"admin_name"`
	Tenant          string        `koanf:"tenant"` // slug of the tenant bootstrap and CLI commands act on
	DefaultPageSize int           `koanf:"default_page_size"`
	MaxPageSize     int           `koanf:"max_page_size"`
	MaxBodyBytes    int64         `koanf:"max_body_bytes"`
	SessionTTL      time.Duration `koanf:"session_ttl"`
	ShutdownTimeout time.Duration `koanf:"shutdown_timeout"`
	DataDir         string        `koanf:"data_dir"` // files the server keeps: uploaded imports and their error files
}

// DefaultDB is the embedded database used when none is configured.
const DefaultDB = "sqlite:./meridian-data/meridian.db"

// DefaultDataDir is where the server keeps files when MERIDIAN_DATA_DIR does not say.
const DefaultDataDir = "./meridian-data"

// Defaults returns the built-in configuration.
func Defaults() Config {
	return Config{
		Addr: "127.0.0.1:8080", DB: DefaultDB, LogLevel: "info", LogFormat: "text", AdminName: "Administrator",
		Tenant: "default", DefaultPageSize: 500, MaxPageSize: 5000, MaxBodyBytes: 4 << 20,
		SessionTTL: 12 * time.Hour, ShutdownTimeout: 15 * time.Second, DataDir: DefaultDataDir,
	}
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
	set("shutdown_timeout", d.ShutdownTimeout.String())
	set("data_dir", d.DataDir)

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
	var c Config
	if err := k.UnmarshalWithConf("", &c, koanf.UnmarshalConf{Tag: "koanf"}); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if c.DefaultPageSize <= 0 || c.MaxPageSize <= 0 || c.DefaultPageSize > c.MaxPageSize {
		return Config{}, fmt.Errorf("config: page sizes must be positive and default_page_size ≤ max_page_size")
	}
	return c, nil
}
