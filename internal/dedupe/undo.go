package dedupe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// storedMerge is a merge_log row.
type storedMerge struct {
	Merge
	version int64
	undo    undo
}

// GetMerge returns merge id of the caller's tenant, to a caller who may read its kept record:
// a merge names the records it merged, so one the caller may not read is answered as missing.
func (s *Service) GetMerge(ctx context.Context, id string) (*Merge, error) {
	m, err := s.load(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := s.recs.Get(ctx, m.Entity, m.Survivor, &query.Options{Select: []query.Path{{Segments: []string{"id"}}}}); err != nil {
		if fault.Is(err, fault.NotFound) || fault.Is(err, fault.Permission) {
			return nil, fault.Newf(fault.NotFound, "not_found", "merge %s does not exist", id)
		}
		return nil, err
	}
	return &m.Merge, nil
}

func (s *Service) load(ctx context.Context, id string) (*storedMerge, error) {
	p, ok := principal.From(ctx)
	if !ok {
		return nil, fault.New(fault.Unauthenticated, "unauthenticated", "no authenticated caller")
	}
	if !validID(id) {
		return nil, fault.Newf(fault.NotFound, "not_found", "merge %s does not exist", id)
	}
	ph := s.st.D.Placeholder
	var m storedMerge
	var rawSurv, rawAt, rawUndone any
	var losers, u string
	err := s.st.QueryRow(ctx, `SELECT entity, survivor_id, losers, survivor_version, undo, merged_at, undone_at FROM merge_log WHERE tenant_id = `+ph(1)+` AND id = `+ph(2),
		p.TenantID, id).Scan(&m.Entity, &rawSurv, &losers, &m.version, &u, &rawAt, &rawUndone)
	if isNoRows(err) {
		return nil, fault.Newf(fault.NotFound, "not_found", "merge %s does not exist", id)
	}
	if err != nil {
		return nil, fmt.Errorf("dedupe: merge %s: %w", id, err)
	}
	m.ID = id
	if v, err := s.st.D.Decode(idAttr, rawSurv); err == nil {
		m.Survivor = v.(string)
	}
	if v, err := s.st.D.Decode(datetime, rawAt); err == nil {
		m.At, _ = v.(time.Time)
	}
	if rawUndone != nil {
		if v, err := s.st.D.Decode(datetime, rawUndone); err == nil {
			t, _ := v.(time.Time)
			m.UndoneAt = &t
		}
	}
	m.UndoUntil = m.At.Add(s.UndoWindow)
	if err := json.Unmarshal([]byte(losers), &m.Merged); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(u)))
	dec.UseNumber() // numbers go back as the API's input
	if err := dec.Decode(&m.undo); err != nil {
		return nil, err
	}
	m.Moved = m.undo.Moved
	return &m, nil
}

// Undo reverses merge id within the undo window: the survivor gets back the values the merge
// replaced, the merged records are created again with their ids and values, lookups, links,
// shares and access-team memberships move back. It is refused once the window has passed, if
// it was undone already, or if the survivor changed since the merge. The caller needs to write
// the survivor and create the merged records.
func (s *Service) Undo(ctx context.Context, id string) (*Merge, error) {
	var out *Merge
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		m, err := s.load(ctx, id)
		if err != nil {
			return err
		}
		now := s.recs.Now().UTC()
		switch {
		case m.UndoneAt != nil:
			return fault.New(fault.Conflict, "merge_undone", "this merge was undone already")
		case now.After(m.UndoUntil):
			return fault.Newf(fault.Conflict, "undo_window_passed", "a merge can be undone for %s; this one was made at %s", s.UndoWindow, m.At.Format(time.RFC3339))
		}
		// Undoing is an action too: the losers come back as they were, closed or not.
		ctx = records.ByAction(ctx, m.Entity)
		surv, err := s.recs.Get(ctx, m.Entity, m.Survivor, nil)
		if err != nil {
			return err
		}
		if surv.Version() != m.version {
			return fault.New(fault.Conflict, "changed_since_merge", "the surviving record was changed after the merge; the merge can no longer be undone")
		}
		if _, err := s.recs.Update(ctx, m.Entity, m.Survivor, records.Input(m.undo.Before), records.ETag(m.version)); err != nil {
			return err
		}
		for _, loser := range m.Merged {
			if _, err := s.recs.Create(ctx, m.Entity, records.Input(m.undo.Losers[loser])); err != nil {
				return err
			}
		}
		if _, err := s.recs.RepointBack(ctx, m.undo.References, m.Survivor); err != nil {
			return err
		}
		for _, loser := range m.Merged {
			if err := s.recs.RestoreLinks(ctx, m.Entity, loser, m.Survivor, m.undo.Links[loser]); err != nil {
				return err
			}
			if err := s.recs.RestoreGrants(ctx, m.Entity, loser, m.Survivor, m.undo.Grants[loser]); err != nil {
				return err
			}
		}
		ph := s.st.D.Placeholder
		p, _ := principal.From(ctx)
		res, err := s.st.Exec(ctx, `UPDATE merge_log SET undone_at = `+ph(1)+` WHERE tenant_id = `+ph(2)+` AND id = `+ph(3)+` AND undone_at IS NULL`,
			s.encodeTime(now), p.TenantID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 { // undone at the same moment by another request
			return fault.New(fault.Conflict, "merge_undone", "this merge was undone already")
		}
		m.UndoneAt = &now
		out = &m.Merge
		return s.event(ctx, "merge_undo", m.Entity, m.Survivor, map[string]any{"merge_id": id, "restored": m.Merged})
	})
	if err != nil {
		return nil, fmt.Errorf("dedupe: undo merge: %w", err)
	}
	return out, nil
}

func validID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil
}
