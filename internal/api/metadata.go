package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/apidoc"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/schema"
)

func (s *Server) csdl(w http.ResponseWriter, r *http.Request) {
	m, ok := s.modelOrError(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("OData-Version", "4.0")
	_, _ = w.Write(apidoc.CSDL(m))
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	m, ok := s.modelOrError(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(apidoc.OpenAPI(m, s.origin()+"/api/v1", s.version))
}

// modelOrError returns the data model of the request's tenant, or answers the error.
func (s *Server) modelOrError(w http.ResponseWriter, r *http.Request) (*metadata.Model, bool) {
	m, err := s.model(r)
	if err != nil {
		s.writeError(w, r, err)
		return nil, false
	}
	return m, true
}

// entityOf returns the entity named (or whose set is named) by the request's {name}, or answers 404.
func (s *Server) entityOf(w http.ResponseWriter, r *http.Request) (*metadata.Entity, bool) {
	m, ok := s.modelOrError(w, r)
	if !ok {
		return nil, false
	}
	e := m.Entity(r.PathValue("name"))
	if e == nil {
		e = m.EntityBySet(r.PathValue("name"))
	}
	if e == nil {
		s.writeError(w, r, fault.Newf(fault.NotFound, "unknown_entity", "entity %s does not exist", r.PathValue("name")))
		return nil, false
	}
	return e, true
}

// decodeStrict decodes a JSON body into v, refusing unknown fields.
const emptyBodyMessage = "the request body is empty"

func (s *Server) decodeStrict(w http.ResponseWriter, r *http.Request, v any) error {
	b, err := s.readJSON(w, r, s.limits.MaxBodyBytes)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return fault.New(fault.Invalid, "invalid_json", emptyBodyMessage)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return fault.Field(te.Field, "invalid_type", "%s must be %s", te.Field, te.Type)
		}
		// encoding/json reports an unknown field only as text: `json: unknown field "x"`.
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			name = strings.Trim(name, `"`)
			return fault.Field(name, "unknown_field", "%s is not a field of this request", name)
		}
		return fault.Newf(fault.Invalid, "invalid_json", "the request body is not valid: %v", err)
	}
	return nil
}

func force(r *http.Request) bool {
	f, _ := strconv.ParseBool(r.URL.Query().Get("force"))
	return f
}

// admin refuses metadata changes by callers who are not tenant administrators.
func (s *Server) admin(w http.ResponseWriter, r *http.Request) bool {
	p, _ := principalOf(r)
	if !p.Admin {
		s.writeError(w, r, fault.New(fault.Permission, "forbidden", "only administrators may change the data model"))
		return false
	}
	return true
}

func (s *Server) listEntities(w http.ResponseWriter, r *http.Request) {
	if m, ok := s.modelOrError(w, r); ok {
		writeJSON(w, http.StatusOK, map[string]any{"value": m.Entities()})
	}
}

func (s *Server) getEntity(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.entityOf(w, r); ok {
		writeJSON(w, http.StatusOK, e)
	}
}

func (s *Server) createEntity(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	var e metadata.Entity
	if err := s.decodeStrict(w, r, &e); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.schema.CreateEntity(r.Context(), &e)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", s.apiRoot()+"metadata/entities/"+out.Name)
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) updateEntity(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	var p schema.EntityPatch
	if err := s.decodeStrict(w, r, &p); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.schema.UpdateEntity(r.Context(), r.PathValue("name"), p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) deleteEntity(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	if err := s.schema.DeleteEntity(r.Context(), r.PathValue("name"), force(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listAttributes(w http.ResponseWriter, r *http.Request) {
	if e, ok := s.entityOf(w, r); ok {
		writeJSON(w, http.StatusOK, map[string]any{"value": e.Attributes})
	}
}

func (s *Server) getAttribute(w http.ResponseWriter, r *http.Request) {
	e, ok := s.entityOf(w, r)
	if !ok {
		return
	}
	a := e.Attr(r.PathValue("attr"))
	if a == nil || a.System {
		s.writeError(w, r, fault.Newf(fault.NotFound, "unknown_attribute", "%s has no attribute %s", r.PathValue("name"), r.PathValue("attr")))
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *Server) addAttribute(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	var a metadata.Attribute
	if err := s.decodeStrict(w, r, &a); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.schema.AddAttribute(r.Context(), r.PathValue("name"), &a)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", s.apiRoot()+"metadata/entities/"+r.PathValue("name")+"/attributes/"+out.Name)
	writeJSON(w, http.StatusCreated, out)
}

// updateAttribute merges the body over the current definition: fields left out keep their value.
func (s *Server) updateAttribute(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	e, ok := s.entityOf(w, r)
	if !ok {
		return
	}
	cur := e.Attr(r.PathValue("attr"))
	if cur == nil || cur.System {
		s.writeError(w, r, fault.Newf(fault.NotFound, "unknown_attribute", "%s has no attribute %s", r.PathValue("name"), r.PathValue("attr")))
		return
	}
	merged := *cur
	merged.Options = append([]metadata.Option(nil), cur.Options...)
	if err := s.decodeStrict(w, r, &merged); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.schema.UpdateAttribute(r.Context(), e.Name, cur.Name, &merged, force(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) deleteAttribute(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	if err := s.schema.DeleteAttribute(r.Context(), r.PathValue("name"), r.PathValue("attr"), force(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listRelationships(w http.ResponseWriter, r *http.Request) {
	if m, ok := s.modelOrError(w, r); ok {
		writeJSON(w, http.StatusOK, map[string]any{"value": m.Relationships()})
	}
}

func (s *Server) createRelationship(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	var rel metadata.ManyToMany
	if err := s.decodeStrict(w, r, &rel); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.schema.CreateRelationship(r.Context(), &rel)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) deleteRelationship(w http.ResponseWriter, r *http.Request) {
	if !s.admin(w, r) {
		return
	}
	if err := s.schema.DeleteRelationship(r.Context(), r.PathValue("name")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
