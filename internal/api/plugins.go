package api

import (
	"net/http"

	"github.com/meridian-crm/meridian/internal/plugin"
)

// routePlugins lists the web client's plugins to signed-in callers and serves their files
// (docs/plugins.md). Without a plugins folder the list is empty and /plugins/ answers 404.
func (s *Server) routePlugins(mux, authed *http.ServeMux) {
	authed.HandleFunc("GET /api/v1/plugins", s.listPlugins)
	mux.Handle(plugin.URLPrefix, s.Plugins)
}

// listPlugins answers GET /api/v1/plugins: {"value":[{name, version, description, entry}]}.
func (s *Server) listPlugins(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"value": s.Plugins.List()})
}
