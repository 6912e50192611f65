package api

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/meridian-crm/meridian/internal/dedupe"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
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

// createCandidates is how many records per duplicate rule a create's look-up compares with the
// new record: those sharing the most keys with it (the duplicates API and merges look further).
const createCandidates = 20

// createChecked creates a record of e and finds its duplicate candidates (want: the caller
// shows them). The look-up never runs inside the write's transaction, where it would hold
// SQLite's single writer (and on PostgreSQL the tenant's version row) for its reads: with strict
// checking it runs before the write, on the values given, and a record that has candidates is
// not created (409 duplicate, the candidates in the error's details); otherwise it runs after
// the commit, on the record as stored, and a failing look-up costs the warning, not the record.
// Two strict creates of the same new duplicate at the same moment may both pass: the check is a
// guard for people entering data, not a uniqueness constraint (alternate keys are).
func (s *Server) createChecked(r *http.Request, e *metadata.Entity, in records.Input, strict, want bool) (*records.Record, []dedupe.Candidate, error) {
	ctx := store.Grouped(r.Context()) // a single create: it may share a group commit
	if s.Dedupe == nil || !slices.Contains(dedupe.Entities, e.Name) || (!strict && !want) {
		rec, err := s.records.Create(ctx, e.Name, in)
		return rec, nil, err
	}
	if strict {
		cands, err := s.Dedupe.Find(ctx, e.Name, in)
		if err != nil {
			return nil, nil, err
		}
		if len(cands) > 0 {
			return nil, nil, duplicateFault(e, cands)
		}
		rec, err := s.records.Create(ctx, e.Name, in)
		return rec, cands, err
	}
	rec, err := s.records.Create(ctx, e.Name, in)
	if err != nil {
		return nil, nil, err
	}
	// On the record as written. (FindMany's first question, which keys other records hold,
	// saves nothing here: in a tenant of any size most names share some bigram with another.)
	cands, err := s.Dedupe.FindTop(ctx, e.Name, rec.Map(), createCandidates, rec.ID())
	if err != nil {
		s.log.Warn("duplicate look-up after a create failed; the record is created", "entity", e.Name, "id", rec.ID(), "err", err)
		return rec, nil, nil
	}
	return rec, cands, nil
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
