package api

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/meridian-crm/meridian/internal/dedupe"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
)

// duplicatesAnnotation is the instance annotation with which a create answers the duplicate
// candidates of the new record.
const duplicatesAnnotation = "@meridian.duplicates"

// routeDuplicates registers duplicate detection: candidates of a record, the rules per entity
// (administrators change them) and the undo of a merge. Merging is the bound action
// POST <set>(<id>)/merge (actions.go).
func (s *Server) routeDuplicates(mux *http.ServeMux) {
	if s.Dedupe == nil {
		return
	}
	mux.HandleFunc("POST /api/v1/{set}/$duplicates", s.findDuplicates)
	mux.HandleFunc("GET /api/v1/duplicaterules/{entity}", s.getDuplicateRules)
	mux.HandleFunc("PUT /api/v1/duplicaterules/{entity}", s.putDuplicateRules)
	mux.HandleFunc("DELETE /api/v1/duplicaterules/{entity}", s.resetDuplicateRules)
	mux.HandleFunc("GET /api/v1/merges/{id}", s.getMerge)
	mux.HandleFunc("POST /api/v1/merges/{id}/undo", s.undoMerge)
}

// dedupeEntity resolves an entity set with duplicate detection.
func (s *Server) dedupeEntity(r *http.Request, set string) (*metadata.Entity, error) {
	m, err := s.model(r)
	if err != nil {
		return nil, err
	}
	e := m.EntityBySet(set)
	if e == nil {
		e = m.Entity(set)
	}
	if e == nil || !slices.Contains(dedupe.Entities, e.Name) {
		return nil, fault.Newf(fault.NotFound, "unknown_entity", "%s has no duplicate detection (accounts, contacts, leads)", set)
	}
	return e, nil
}

// findDuplicates serves POST <set>/$duplicates: the body holds a record's values, or "id"
// names a stored record (values in the body override its own).
func (s *Server) findDuplicates(w http.ResponseWriter, r *http.Request) {
	e, err := s.dedupeEntity(r, r.PathValue("set"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := s.decodeBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	vals := map[string]any{}
	var exclude []string
	if id, ok := in["id"].(string); ok {
		rec, err := s.records.Get(r.Context(), e.Name, id, nil)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		vals = rec.Map()
		exclude = append(exclude, rec.ID())
	}
	for k, v := range in {
		if k != "id" {
			vals[k] = v
		}
	}
	cands, err := s.Dedupe.Find(r.Context(), e.Name, vals, exclude...)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": cands})
}

func (s *Server) getDuplicateRules(w http.ResponseWriter, r *http.Request) {
	e, err := s.dedupeEntity(r, r.PathValue("entity"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rules, err := s.Dedupe.Rules(r.Context(), e.Name)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entity": e.Name, "rules": rules})
}

type duplicateRules struct {
	Rules []dedupe.Rule `json:"rules"`
}

func (s *Server) putDuplicateRules(w http.ResponseWriter, r *http.Request) {
	var in duplicateRules
	if err := s.decodeStrict(w, r, &in); err != nil {
		s.writeError(w, r, err)
		return
	}
	if in.Rules == nil {
		in.Rules = []dedupe.Rule{}
	}
	s.setDuplicateRules(w, r, in.Rules)
}

func (s *Server) resetDuplicateRules(w http.ResponseWriter, r *http.Request) {
	s.setDuplicateRules(w, r, nil)
}

func (s *Server) setDuplicateRules(w http.ResponseWriter, r *http.Request, rules []dedupe.Rule) {
	e, err := s.dedupeEntity(r, r.PathValue("entity"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.Dedupe.SetRules(r.Context(), e.Name, rules)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"entity": e.Name, "rules": out})
}

func (s *Server) getMerge(w http.ResponseWriter, r *http.Request) {
	m, err := s.Dedupe.GetMerge(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

func (s *Server) undoMerge(w http.ResponseWriter, r *http.Request) {
	m, err := s.Dedupe.Undo(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, m)
}

// createChecked creates a record of e and finds its duplicate candidates in the same
// transaction; with strict checking a record that has candidates is not created (409
// duplicate, the candidates in the error's details).
func (s *Server) createChecked(r *http.Request, e *metadata.Entity, in records.Input, strict bool) (*records.Record, []dedupe.Candidate, error) {
	if s.Dedupe == nil || !slices.Contains(dedupe.Entities, e.Name) {
		rec, err := s.records.Create(r.Context(), e.Name, in)
		return rec, nil, err
	}
	var rec *records.Record
	var cands []dedupe.Candidate
	err := s.st.WithTx(r.Context(), func(ctx context.Context) error {
		var err error
		if rec, err = s.records.Create(ctx, e.Name, in); err != nil {
			return err
		}
		if cands, err = s.Dedupe.Find(ctx, e.Name, rec.Map(), rec.ID()); err != nil {
			return err
		}
		if strict && len(cands) > 0 {
			return duplicateFault(e, cands)
		}
		return nil
	})
	return rec, cands, err
}

// duplicateFault refuses a record that duplicates others: one detail per candidate, its id as
// the target.
func duplicateFault(e *metadata.Entity, cands []dedupe.Candidate) error {
	f := fault.Newf(fault.Conflict, "duplicate", "%d %s record(s) may already be this one; create it without the strict duplicate check to keep both", len(cands), e.Name)
	for _, c := range cands {
		f.Details = append(f.Details, &fault.Error{Kind: fault.Conflict, Code: "duplicate_candidate", Target: c.ID,
			Message: fmt.Sprintf("%s (matched by %s, score %g)", c.Name, strings.Join(c.Rules, ", "), c.Score)})
	}
	return f
}

// duplicateCheck reads the meridian.duplicate-check preference: "strict" refuses a create
// that has duplicate candidates.
func duplicateCheck(h []string) string {
	for _, line := range h {
		for _, part := range strings.Split(line, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			if strings.EqualFold(strings.TrimSpace(k), "meridian.duplicate-check") {
				return strings.Trim(strings.TrimSpace(v), `"`)
			}
		}
	}
	return ""
}
