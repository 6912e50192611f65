package records

import (
	"context"
	"fmt"

	"github.com/meridian-crm/meridian/internal/fault"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/query"
)

// expand loads each $expand item for a page of records with one query per item.
func (s *Service) expand(ctx context.Context, m *metadata.Model, e *metadata.Entity, items []query.ExpandItem, recs []*Record, sc query.Scope) error {
	if len(items) == 0 || len(recs) == 0 {
		return nil
	}
	for _, item := range items {
		var nav *metadata.Nav
		if len(item.Path.Segments) == 1 {
			nav = m.Nav(e, item.Path.Segments[0])
		}
		if nav == nil {
			return fault.Newf(fault.Invalid, "invalid_expand", "%s is not a navigation property of %s", item.Path.String(), e.Name).WithTarget("$expand")
		}
		// The parents' link values: lookup values for many-to-one, ids otherwise.
		seen := map[string]bool{}
		var keys []string
		for _, r := range recs {
			var k string
			if nav.Kind == metadata.NavManyToOne {
				k, _ = r.Get(nav.Attr.Name).(string)
			} else {
				k = r.ID()
			}
			if k != "" && !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
		if len(keys) == 0 {
			for _, r := range recs {
				r.setExpanded(nav, nil)
			}
			continue
		}
		ep, err := query.CompileExpand(m, s.st.D, e, item, keys, sc, s.MaxExpand)
		if err != nil {
			return err
		}
		rows, err := s.run(ctx, ep.Plan)
		if err != nil {
			return fmt.Errorf("records: expand %s: %w", ep.Nav.Name, err)
		}
		byKey := map[string][]*Record{}
		for _, row := range rows {
			k, _ := row[ep.KeyColumn].(string)
			byKey[k] = append(byKey[k], &Record{Entity: ep.Nav.To, Cols: ep.Plan.Columns, Vals: row})
		}
		for _, r := range recs {
			var k string
			if ep.Nav.Kind == metadata.NavManyToOne {
				k, _ = r.Get(ep.Nav.Attr.Name).(string)
			} else {
				k = r.ID()
			}
			r.setExpanded(ep.Nav, byKey[k])
		}
	}
	return nil
}

func (r *Record) setExpanded(nav *metadata.Nav, related []*Record) {
	if r.Expanded == nil {
		r.Expanded = map[string]any{}
	}
	if nav.Collection() {
		if related == nil {
			related = []*Record{}
		}
		r.Expanded[nav.Name] = related
		return
	}
	if len(related) > 0 {
		r.Expanded[nav.Name] = related[0]
	} else {
		r.Expanded[nav.Name] = (*Record)(nil)
	}
}
