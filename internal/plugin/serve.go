package plugin

import (
	"mime"
	"net/http"
	"path"
	"strings"
)

// contentTypes fixes the types browsers are strict about: a module script must be served as
// JavaScript, and nosniff makes them check.
var contentTypes = map[string]string{
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".json":  "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".woff2": "font/woff2",
}

// ServeHTTP serves the files of enabled plugins at /plugins/<name>/<file>, like the web client's
// own files: no session needed (they are code, not data), never outside a plugin's folder,
// dot-files and folders not at all. Files are revalidated on each use (no-cache), since plugins
// do not name their files by content hash.
func (s *Set) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rest, ok := strings.CutPrefix(path.Clean(r.URL.Path), URLPrefix)
	name, file, _ := strings.Cut(rest, "/")
	if !ok || s == nil || s.root == nil || !s.byName[name] || file == "" || hidden(file) {
		http.NotFound(w, r)
		return
	}
	f, err := s.root.Open(path.Join(name, file))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	ct := contentTypes[strings.ToLower(path.Ext(file))]
	if ct == "" {
		ct = mime.TypeByExtension(path.Ext(file))
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-cache")
	// A plugin's file opened directly (an SVG, an HTML page) runs nothing on this origin.
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, file, st.ModTime(), f)
}

// hidden reports whether a path has a segment starting with a dot (.git, .env).
func hidden(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, ".") {
			return true
		}
	}
	return false
}
