package api_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/app"
)

// writePlugins lays out a plugins folder: good ones, a disabled one and broken ones.
func writePlugins(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"hello/plugin.json":   `{"name":"hello","version":"1.2.0","entry":"index.js","description":"Says hello"}`,
		"hello/index.js":      `export function register(api) {}`,
		"hello/lib/util.mjs":  `export const x = 1;`,
		"hello/.secret":       `token`,
		"alpha/plugin.json":   `{"name":"alpha","version":"0.1","entry":"src/main.mjs"}`,
		"alpha/src/main.mjs":  `export function register() {}`,
		"off/plugin.json":     `{"name":"off","version":"1","entry":"index.js","enabled":false}`,
		"off/index.js":        `export function register() {}`,
		"badjson/plugin.json": `{"name":"badjson",`,
		"renamed/plugin.json": `{"name":"other","version":"1","entry":"index.js"}`,
		"renamed/index.js":    `export function register() {}`,
		"noentry/plugin.json": `{"name":"noentry","version":"1","entry":"missing.js"}`,
		"escape/plugin.json":  `{"name":"escape","version":"1","entry":"../hello/index.js"}`,
		"unknown/plugin.json": `{"name":"unknown","version":"1","entry":"index.js","permissions":["all"]}`,
		"unknown/index.js":    `export function register() {}`,
		"assets/logo.svg":     `<svg xmlns="http://www.w3.org/2000/svg"/>`, // no manifest: not a plugin
		"not-a-folder.js":     `alert(1)`,
	}
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestPlugins(t *testing.T) {
	dir := writePlugins(t)
	g := newGatewayServer(t, func(c *app.Config) { c.PluginsDir = dir })
	admin := g.login()

	// The list: signed-in callers only, enabled valid plugins in name order with their entry URL.
	g.anon().get("plugins").wantError(http.StatusUnauthorized, "unauthenticated", "-")
	r := admin.get("plugins").want(http.StatusOK)
	got := r.values()
	if len(got) != 2 {
		t.Fatalf("plugins: %d listed, want alpha and hello: %s", len(got), r.raw)
	}
	want := []map[string]string{
		{"name": "alpha", "version": "0.1", "entry": "/plugins/alpha/src/main.mjs", "description": ""},
		{"name": "hello", "version": "1.2.0", "entry": "/plugins/hello/index.js", "description": "Says hello"},
	}
	for i, w := range want {
		for k, v := range w {
			if got[i][k] != v {
				t.Errorf("plugin %d: %s = %v, want %q", i, k, got[i][k], v)
			}
		}
	}

	// Every broken manifest is in the log, named, and did not stop the server.
	log := g.log.String()
	for _, name := range []string{"badjson", "renamed", "noentry", "escape", "unknown"} {
		if !strings.Contains(log, "plugins: "+name+":") {
			t.Errorf("the log does not report plugin %s:\n%s", name, log)
		}
	}
	if strings.Contains(log, "plugins: off:") || strings.Contains(log, "plugins: assets") {
		t.Errorf("a disabled plugin or a folder without a manifest was reported as an error:\n%s", log)
	}

	// The files: modules as JavaScript (browsers refuse module scripts of another type), no
	// session needed, nothing outside enabled plugins' folders.
	fetch := func(method, path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, g.srv.URL+path, nil)
		res, err := g.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	for _, p := range []string{"/plugins/hello/index.js", "/plugins/hello/lib/util.mjs", "/plugins/alpha/src/main.mjs"} {
		res, body := fetch("GET", p)
		if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" || !strings.Contains(body, "export") {
			t.Errorf("GET %s: %d %q %q", p, res.StatusCode, res.Header.Get("Content-Type"), body)
		}
		if res.Header.Get("X-Content-Type-Options") != "nosniff" || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: headers %v", p, res.Header)
		}
	}
	if res, body := fetch("GET", "/plugins/hello/plugin.json"); res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || !strings.Contains(body, `"hello"`) {
		t.Errorf("the manifest: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, p := range []string{
		"/plugins/off/index.js",          // disabled
		"/plugins/renamed/index.js",      // invalid manifest
		"/plugins/assets/logo.svg",       // not a plugin
		"/plugins/not-a-folder.js",       // not in a plugin
		"/plugins/hello/.secret",         // dot-file
		"/plugins/hello/",                // a folder
		"/plugins/hello/lib",             // a folder
		"/plugins/hello/missing.js",      // missing
		"/plugins/hello/../off/index.js", // cleaned to /plugins/off/index.js
		"/plugins/hello/..%2f..%2fplugin.json",
		"/plugins/",
	} {
		if res, body := fetch("GET", p); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d %.60q, want 404", p, res.StatusCode, body)
		}
	}
	if res, _ := fetch("POST", "/plugins/hello/index.js"); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST a plugin file: %d, want 405", res.StatusCode)
	}
}

// TestPluginsNone: without a plugins folder the list is empty and /plugins/ is not served.
func TestPluginsNone(t *testing.T) {
	s := newServer(t)
	r := s.login().get("plugins").want(http.StatusOK)
	if v := r.values(); len(v) != 0 || !strings.Contains(string(r.raw), `"value":[]`) {
		t.Errorf("plugins without a folder: %s", r.raw)
	}
	if r := s.anon().get("/plugins/sample-account-health/index.js"); r.status != http.StatusNotFound {
		t.Errorf("a plugin file without a folder: %d", r.status)
	}
}

// TestPluginsSample loads the repository's plugins folder, as docs/plugins.md tells an
// administrator to: the sample plugin is listed and its module served.
func TestPluginsSample(t *testing.T) {
	g := newGatewayServer(t, func(c *app.Config) { c.PluginsDir = "../../plugins" })
	r := g.login().get("plugins").want(http.StatusOK)
	var found bool
	for _, p := range r.values() {
		if p["name"] == "sample-account-health" {
			found = true
			if e := g.anon().get(p["entry"].(string)); e.status != 200 || !strings.Contains(string(e.raw), "export function register") {
				t.Errorf("GET %s: %d", p["entry"], e.status)
			}
		}
	}
	if !found || strings.Contains(g.log.String(), "plugin skipped") {
		t.Errorf("the sample plugin did not load cleanly: %s\n%s", r.raw, g.log.String())
	}
}
