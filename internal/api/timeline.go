package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// rollupSources are the entities whose activities roll up to a record they point to through a
// lookup: an account's timeline shows its contacts', opportunities', cases' and leads' too.
var rollupSources = []string{"contact", "opportunity", "case", "lead"}

const (
	rollupMaxPerSource = 500 // related records whose activities are gathered, per source entity
	timelineDefaultTop = 25
	timelineMaxTop     = 100
)

// hasTimeline reports whether <set>(<id>)/timeline is served for e (any entity activities can
// regard, when it has no navigation of that name).
func (s *Server) hasTimeline(m *metadata.Model, e *metadata.Entity) bool {
	return m.Entity("activity") != nil && m.Nav(e, "timeline") == nil && !e.ReadOnly()
}

// timeline serves GET <set>(<id>)/timeline: the activities regarding the record and the records
// of rollupSources that point to it, newest first; $filter, $select, $orderby and $top apply.
func (s *Server) timeline(w http.ResponseWriter, r *http.Request, e *metadata.Entity, id string) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Code: "method_not_allowed",
			Message: r.Method + " is not allowed here (allowed: GET)"}})
		return
	}
	o, err := jsonOptions(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	rec, err := s.records.Get(ctx, e.Name, id, &query.Options{Select: []query.Path{{Segments: []string{"id"}}}})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ids := []string{rec.ID()}
	m, err := s.model(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for _, src := range rollupSources {
		se := m.Entity(src)
		if se == nil || se == e {
			continue
		}
		for _, a := range se.Lookups() {
			if a.Polymorphic() || a.Target != e.Name {
				continue
			}
			q, err := query.ParseOptions("$select=id&$top=" + strconv.Itoa(rollupMaxPerSource) + "&$filter=" + url.QueryEscape(a.Name+" eq "+rec.ID()))
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			page, err := s.records.List(ctx, se.Name, q, records.ReadOptions{PageSize: rollupMaxPerSource})
			if fault.Is(err, fault.Permission) {
				continue // the caller may not read these: their activities stay out
			}
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			for _, x := range page.Records {
				ids = append(ids, x.ID())
			}
		}
	}
	f, err := query.ParseFilter("regarding_id in (" + strings.Join(ids, ",") + ")")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if o.Filter != nil {
		f = &query.Binary{Op: query.OpAnd, Left: f, Right: o.Filter}
	}
	o.Filter = f
	if len(o.OrderBy) == 0 {
		if o.OrderBy, err = query.ParseOrderBy("created_at desc,id desc"); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	top := timelineDefaultTop
	if o.Top != nil {
		if *o.Top > timelineMaxTop {
			s.writeError(w, r, fault.Field("$top", "invalid_top", "a timeline answers at most %d activities", timelineMaxTop))
			return
		}
		top = *o.Top
	}
	o.Top = &top
	page, err := s.records.List(ctx, "activity", o, records.ReadOptions{PageSize: timelineMaxTop})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page.Next = "" // one page: the filter above is not in a next link
	s.writePage(w, r, m.Entity("activity").SetName, page)
}
