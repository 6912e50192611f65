package app

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/pflag"
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
