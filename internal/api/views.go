package api

import (
	"net/http"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/views"
)

// routeViews registers the saved list views: the caller's own and those shared in the tenant.
func (s *Server) routeViews(mux *http.ServeMux) {
	if s.Views == nil {
		return
	}
	mux.HandleFunc("GET /api/v1/views", s.listViews)
	mux.HandleFunc("POST /api/v1/views", s.createView)
	mux.HandleFunc("GET /api/v1/views/{id}", s.getView)
	mux.HandleFunc("PATCH /api/v1/views/{id}", s.updateView)
	mux.HandleFunc("DELETE /api/v1/views/{id}", s.deleteView)
}

func (s *Server) listViews(w http.ResponseWriter, r *http.Request) {
	set := r.URL.Query().Get("entity")
	if set == "" {
		s.writeError(w, r, fault.New(fault.Invalid, "required", "name the entity set: ?entity=accounts").WithTarget("entity"))
		return
	}
	vs, err := s.Views.List(r.Context(), set)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": vs})
}

func (s *Server) getView(w http.ResponseWriter, r *http.Request) {
	v, err := s.Views.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) createView(w http.ResponseWriter, r *http.Request) {
	var in views.Input
	if err := s.decodeStrict(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.Views.Create(r.Context(), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", s.apiRoot()+"views/"+v.ID)
	writeJSON(w, http.StatusCreated, v)
}

func (s *Server) updateView(w http.ResponseWriter, r *http.Request) {
	var in views.Input
	if err := s.decodeStrict(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.Views.Update(r.Context(), r.PathValue("id"), in)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) deleteView(w http.ResponseWriter, r *http.Request) {
	if err := s.Views.Delete(r.Context(), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
