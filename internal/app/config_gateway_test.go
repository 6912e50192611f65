package app

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/api"
	"github.com/meridian-crm/meridian/internal/gateway"
)

func TestGatewayLimitsDefaults(t *testing.T) {
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.GatewayLimits()
	if err != nil {
		t.Fatal(err)
	}
	want := api.GatewayLimits{Rate: gateway.Rate{N: 6000, Per: 5 * time.Minute}, LoginRate: gateway.Rate{N: 20, Per: time.Minute}, Concurrency: 52}
	if g != want {
		t.Fatalf("default limits %+v, want %+v", g, want)
	}
}

func TestGatewayLimitsFromEnvironmentAndFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "meridian.yaml")
	// YAML reads a bare 0 as a number: it still means off.
	if err := os.WriteFile(file, []byte("rate_limit: 100/1m\nlogin_rate_limit: 0\nconcurrency_limit: 8\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MERIDIAN_CONFIG", file)
	t.Setenv("MERIDIAN_TENANT_RATE_LIMIT", "60000/5m")
	t.Setenv("MERIDIAN_CONCURRENCY_LIMIT", "16")
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.GatewayLimits()
	if err != nil {
		t.Fatal(err)
	}
	want := api.GatewayLimits{Rate: gateway.Rate{N: 100, Per: time.Minute}, TenantRate: gateway.Rate{N: 60000, Per: 5 * time.Minute}, Concurrency: 16}
	if g != want {
		t.Fatalf("limits %+v, want %+v", g, want)
	}
}

func TestGatewayLimitsOff(t *testing.T) {
	t.Setenv("MERIDIAN_RATE_LIMIT", "off")
	t.Setenv("MERIDIAN_LOGIN_RATE_LIMIT", "0")
	t.Setenv("MERIDIAN_CONCURRENCY_LIMIT", "OFF")
	c, err := Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	g, err := c.GatewayLimits()
	if err != nil || g != (api.GatewayLimits{}) {
		t.Fatalf("limits %+v, %v; want all off", g, err)
	}
}

func TestGatewayLimitsRefuseMalformedValues(t *testing.T) {
	cases := []struct{ env, value, says string }{
		{"MERIDIAN_RATE_LIMIT", "6000", "rate_limit (MERIDIAN_RATE_LIMIT)"},
		{"MERIDIAN_RATE_LIMIT", "6000/5 minutes", "duration"},
		{"MERIDIAN_RATE_LIMIT", "lots/5m", "whole number"},
		{"MERIDIAN_TENANT_RATE_LIMIT", "100/0s", "tenant_rate_limit"},
		{"MERIDIAN_LOGIN_RATE_LIMIT", "-5/1m", "login_rate_limit"},
		{"MERIDIAN_CONCURRENCY_LIMIT", "many", "concurrency_limit"},
		{"MERIDIAN_CONCURRENCY_LIMIT", "-1", "concurrency_limit"},
	}
	for _, tc := range cases {
		t.Run(tc.env+"="+tc.value, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			_, err := Load(nil)
			if err == nil || !strings.Contains(err.Error(), tc.says) || !strings.Contains(err.Error(), tc.value) {
				t.Fatalf("Load: %v; want an error naming %q and saying %q", err, tc.value, tc.says)
			}
		})
	}
}

func TestOpenRefusesMalformedLimits(t *testing.T) {
	c := Defaults()
	c.DB = "sqlite:" + filepath.Join(t.TempDir(), "m.db")
	c.RateLimit = "fast"
	if _, err := Open(t.Context(), c, NewLogger(c, io.Discard)); err == nil || !strings.Contains(err.Error(), "rate_limit") {
		t.Fatalf("Open with rate_limit %q: %v", c.RateLimit, err)
	}
}
