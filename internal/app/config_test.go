package app

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

func TestConfigPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "meridian.yaml")
	if err := os.WriteFile(file, []byte("addr: 0.0.0.0:9000\ndb: sqlite:/from/file.db\nmax_page_size: 900\nsession_ttl: 2h\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MERIDIAN_CONFIG", file)
	t.Setenv("MERIDIAN_DB", "sqlite:/from/env.db")
	t.Setenv("MERIDIAN_TENANT", "acme")

	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	AddFlags(fs)
	fs.String("addr", Defaults().Addr, "")
	if err := fs.Parse([]string{"--tenant", "from-flag"}); err != nil {
		t.Fatal(err)
	}
	c, err := Load(fs)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "0.0.0.0:9000" {
		t.Errorf("addr %q: the file should set it", c.Addr)
	}
	if c.DB != "sqlite:/from/env.db" {
		t.Errorf("db %q: the environment should win over the file", c.DB)
	}
	if c.Tenant != "from-flag" {
		t.Errorf("tenant %q: the flag should win over the environment", c.Tenant)
	}
	if c.MaxPageSize != 900 || c.SessionTTL != 2*time.Hour {
		t.Errorf("file values: max_page_size %d, session_ttl %s", c.MaxPageSize, c.SessionTTL)
	}
	if c.DefaultPageSize != 500 || c.LogLevel != "info" {
		t.Errorf("defaults: %+v", c)
	}
}

func TestConfigRejectsBadPageSizes(t *testing.T) {
	t.Setenv("MERIDIAN_DEFAULT_PAGE_SIZE", "9000")
	if _, err := Load(nil); err == nil {
		t.Fatal("a default page size above the maximum must be refused")
	}
}

// TestConfigPluginsDir: no plugins unless configured; the environment sets the folder and the
// serve/demo flag wins over it.
func TestConfigPluginsDir(t *testing.T) {
	load := func(args ...string) Config {
		t.Helper()
		fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
		AddFlags(fs)
		AddServeFlags(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		c, err := Load(fs)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	t.Setenv("MERIDIAN_PLUGINS_DIR", "")
	if c := load(); c.PluginsDir != "" {
		t.Errorf("default plugins_dir %q, want none", c.PluginsDir)
	}
	t.Setenv("MERIDIAN_PLUGINS_DIR", "/srv/meridian/plugins")
	if c := load(); c.PluginsDir != "/srv/meridian/plugins" {
		t.Errorf("plugins_dir %q from the environment", c.PluginsDir)
	}
	if c := load("--plugins-dir", "./plugins"); c.PluginsDir != "./plugins" {
		t.Errorf("plugins_dir %q: the flag should win", c.PluginsDir)
	}
}

// TestOpenRefusesUnreadablePluginsDir: a plugins folder that cannot be read stops the start
// (a typo in the setting should not go unnoticed), while a bad plugin inside only is skipped.
func TestOpenRefusesUnreadablePluginsDir(t *testing.T) {
	c := Defaults()
	c.DB = storetest.DSN(t)
	c.PluginsDir = filepath.Join(t.TempDir(), "missing")
	if a, err := Open(t.Context(), c, NewLogger(c, io.Discard)); err == nil {
		a.Close()
		t.Fatal("Open with a missing plugins folder succeeded")
	}
}

// TestConfigReadDeadlinesAndPublicURL: the slow-client settings and the public URL come from the
// environment; a malformed public URL or a negative deadline stops the start.
func TestConfigReadDeadlinesAndPublicURL(t *testing.T) {
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.ReadHeaderTimeout != 10*time.Second || c.ReadBodyTimeout != 10*time.Second || c.ReadBodyMinRate != 4096 ||
		c.IdleTimeout != 2*time.Minute || c.PublicURL != "" {
		t.Errorf("defaults: %v %v %d %v %q", c.ReadHeaderTimeout, c.ReadBodyTimeout, c.ReadBodyMinRate, c.IdleTimeout, c.PublicURL)
	}
	t.Setenv("MERIDIAN_READ_HEADER_TIMEOUT", "3s")
	t.Setenv("MERIDIAN_READ_BODY_TIMEOUT", "20s")
	t.Setenv("MERIDIAN_READ_BODY_MIN_RATE", "0")
	t.Setenv("MERIDIAN_IDLE_TIMEOUT", "1m")
	t.Setenv("MERIDIAN_PUBLIC_URL", "https://crm.example.com/")
	if c, err = Load(nil); err != nil {
		t.Fatal(err)
	}
	if c.ReadHeaderTimeout != 3*time.Second || c.ReadBodyTimeout != 20*time.Second || c.ReadBodyMinRate != 0 ||
		c.IdleTimeout != time.Minute || c.PublicURL != "https://crm.example.com/" {
		t.Errorf("from the environment: %v %v %d %v %q", c.ReadHeaderTimeout, c.ReadBodyTimeout, c.ReadBodyMinRate, c.IdleTimeout, c.PublicURL)
	}
	for key, bad := range map[string]string{"MERIDIAN_PUBLIC_URL": "crm.example.com", "MERIDIAN_READ_BODY_TIMEOUT": "-1s"} {
		t.Run(key, func(t *testing.T) {
			t.Setenv(key, bad)
			if _, err := Load(nil); err == nil {
				t.Fatalf("%s=%s must be refused", key, bad)
			}
		})
	}
}

// TestConfigImportLimits: the import limits come from MERIDIAN_IMPORT_* (defaults otherwise),
// and a limit that cannot work stops the server at start, naming the setting.
func TestConfigImportLimits(t *testing.T) {
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.ImportLimits(); got != exchange.DefaultLimits() {
		t.Fatalf("defaults %+v", got)
	}
	t.Setenv("MERIDIAN_IMPORT_MAX_CELL_BYTES", "4096")
	t.Setenv("MERIDIAN_IMPORT_MAX_ROWS", "10")
	if c, err = Load(nil); err != nil || c.ImportLimits().MaxCellBytes != 4096 || c.ImportLimits().MaxRows != 10 {
		t.Fatalf("limits %+v, %v", c.ImportLimits(), err)
	}
	t.Setenv("MERIDIAN_IMPORT_MAX_CELLS", "0")
	if _, err := Load(nil); err == nil || !strings.Contains(err.Error(), "MERIDIAN_IMPORT_MAX_CELLS") {
		t.Fatalf("a zero limit: %v", err)
	}
}
