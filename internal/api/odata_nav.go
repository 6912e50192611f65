package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
)

func (s *Server) getByKey(w http.ResponseWriter, r *http.Request, e *metadata.Entity, res *resource) {
	id, err := s.records.IDByKey(r.Context(), e.Name, res.Key)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.get(w, r, e, id)
}

func (s *Server) deleteByKey(w http.ResponseWriter, r *http.Request, e *metadata.Entity, res *resource) {
	id, err := s.records.IDByKey(r.Context(), e.Name, res.Key)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.delete(w, r, e, id)
}

// upsert is PATCH on an alternate key: update the record with the key, or create it.
func (s *Server) upsert(w http.ResponseWriter, r *http.Request, e *metadata.Entity, res *resource) {
	in, err := s.decodeBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rec, created, err := s.records.Upsert(store.Grouped(r.Context()), e.Name, res.Key, in, r.Header.Get("If-Match"), r.Header.Get("If-None-Match"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if created {
		w.Header().Set("Location", s.apiRoot()+e.SetName+"("+rec.ID()+")")
		s.writeRecord(w, r, http.StatusCreated, e.SetName, rec)
		return
	}
	s.afterWrite(w, r, e, rec, http.StatusOK)
}

func (s *Server) related(w http.ResponseWriter, r *http.Request, e *metadata.Entity, res *resource) {
	o, err := jsonOptions(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id := res.ID
	if res.Key != nil {
		if id, err = s.records.IDByKey(r.Context(), e.Name, res.Key); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	pf := parsePrefer(r.Header.Values("Prefer"))
	w.Header().Add("Vary", "Accept-Language")
	if res.Count {
		// Count every related record, not the ones that fit in a page.
		one := 1
		o.Count, o.Top, o.Skip, o.SkipToken, o.Select, o.Expand, o.OrderBy = true, &one, nil, "", nil, nil, nil
	}
	page, nav, err := s.records.Related(r.Context(), e.Name, id, res.Nav, o, records.ReadOptions{PageSize: pf.maxPageSize, Collation: collation(r)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if res.Count {
		n := int64(len(page.Records))
		if page.Count != nil {
			n = *page.Count
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte(strconv.FormatInt(n, 10)))
		return
	}
	if !nav.Collection() {
		if len(page.Records) == 0 {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		s.writeRecord(w, r, http.StatusOK, nav.To.SetName, page.Records[0])
		return
	}
	s.writePage(w, r, nav.To.SetName, page)
}

// ref associates (POST …/nav/$ref with {"@odata.id": "contacts(<id>)"}) or disassociates
// (DELETE …/nav(<id>)/$ref or …/nav/$ref?$id=…) records.
func (s *Server) ref(w http.ResponseWriter, r *http.Request, e *metadata.Entity, res *resource) {
	id := res.ID
	if res.Key != nil {
		var err error
		if id, err = s.records.IDByKey(r.Context(), e.Name, res.Key); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	switch r.Method {
	case http.MethodPost, http.MethodPut:
		in, err := s.decodeBody(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		target, _ := in["@odata.id"].(string)
		relID, err := refID(target)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.records.Associate(r.Context(), e.Name, id, res.Nav, relID); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		relID := res.NavID
		if relID == "" {
			var err error
			if relID, err = refID(r.URL.Query().Get("$id")); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if err := s.records.Disassociate(r.Context(), e.Name, id, res.Nav, relID); err != nil {
			s.writeError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		s.methods(w, r, map[string]http.HandlerFunc{"POST": nil, "DELETE": nil})
	}
}

// refID extracts the id from an entity reference such as "contacts(<id>)" or a full URL.
func refID(ref string) (string, error) {
	open := strings.LastIndexByte(ref, '(')
	if open < 0 || !strings.HasSuffix(ref, ")") {
		return "", fault.Field("@odata.id", "invalid_reference", "expected a reference such as \"contacts(<id>)\"")
	}
	return strings.Trim(ref[open+1:len(ref)-1], "'"), nil
}
