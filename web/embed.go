//go:build !noui

// Package web serves Meridian's web client: the single-page application built by Vite into
// web/dist (committed, so building the server needs no Node) and embedded in the binary.
// Build with -tags noui for a server without the client.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var dist embed.FS

// Handler serves the web client: files of web/dist as they are — the content-hashed ones under
// /assets/ cached for a year — and index.html for every other path, so that client-side routes
// such as /accounts/123 load the application. It never answers under /api/: the API owns that.
func Handler() http.Handler {
	root, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // the embed pattern guarantees the folder
	}
	return newHandler(root)
}

type handler struct {
	root      fs.FS
	index     []byte
	indexETag string
}

func newHandler(root fs.FS) *handler {
	h := &handler{root: root}
	if b, err := fs.ReadFile(root, "index.html"); err == nil {
		h.index = b
		sum := sha256.Sum256(b)
		h.indexETag = `"` + hex.EncodeToString(sum[:8]) + `"`
	}
	return h
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":{"code":"not_found","message":"not a Meridian endpoint"}}`))
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	name := strings.TrimPrefix(p, "/")
	if name != "" && name != "index.html" {
		if b, err := fs.ReadFile(h.root, name); err == nil {
			if strings.HasPrefix(name, "assets/") {
				// Vite names these by their content hash: a changed file gets a new name.
				w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			} else {
				w.Header().Set("Cache-Control", "no-cache")
			}
			http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
			return
		}
		// A missing file (an old hashed asset, a typo) is a 404, not the application: a script
		// tag answered with HTML fails confusingly.
		if strings.HasPrefix(name, "assets/") || path.Ext(name) != "" {
			http.NotFound(w, r)
			return
		}
	}
	if h.index == nil {
		http.Error(w, "the web client was not built (web/dist/index.html is missing)", http.StatusNotFound)
		return
	}
	hd := w.Header()
	hd.Set("Cache-Control", "no-cache")
	hd.Set("ETag", h.indexETag)
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "+
		"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(h.index))
}
