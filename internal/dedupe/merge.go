package dedupe

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
)

// MergeInput says which records merge into a survivor.
type MergeInput struct {
	// Merge are the ids of the records merged into the survivor (and deleted).
	Merge []string `json:"merge"`
	// Fields name, per attribute, the record (the survivor or one of Merge) whose value the
	// survivor keeps; attributes not named keep the survivor's value.
	Fields map[string]string `json:"fields,omitempty"`
	// IfMatch is the survivor's If-Match ETag ("" for none).
	IfMatch string `json:"-"`
}

// Merge is a merge's outcome, and what its undo needs.
type Merge struct {
	ID       string    `json:"id"`
	Entity   string    `json:"entity"`
	Survivor string    `json:"survivor_id"`
	Merged   []string  `json:"merged_ids"`
	At       time.Time `json:"merged_at"`
	// UndoUntil is when the undo window closes.
	UndoUntil time.Time `json:"undo_until"`
	// Moved counts what moved to the survivor: lookups repointed, N:N links, shares and
	// access-team memberships.
	Moved    Moved      `json:"moved"`
	UndoneAt *time.Time `json:"undone_at,omitempty"`
}

// Moved counts what a merge moved.
type Moved struct {
	References int `json:"references"`
	Links      int `json:"links"`
	Grants     int `json:"grants"`
}

// undo is what a merge stores to be undone.
type undo struct {
	References []records.Reference        `json:"references"`
	Links      map[string][]records.Link  `json:"links"`
	Grants     map[string][]records.Grant `json:"grants"`
	Losers     map[string]map[string]any  `json:"losers"` // each merged record's values, as input
	Before     map[string]any             `json:"before"` // the survivor's values the merge replaced
	Moved      Moved                      `json:"moved"`
}

// Merge merges the records in.Merge of entity into survivor, in one transaction through the
// records service: every lookup in the model pointing at them (activities' regarding
// included) is repointed to the survivor, their N:N links, shares and access-team memberships
// move to it, the chosen field values are copied, and they are deleted (audited, in the change
// log). The caller needs to write the survivor and delete the merged records. The merge is
// recorded so that Undo can reverse it within the undo window.
func (s *Service) Merge(ctx context.Context, entity, survivor string, in MergeInput) (*Merge, error) {
	p, ok := principal.From(ctx)
	if !ok {
		return nil, fault.New(fault.Unauthenticated, "unauthenticated", "no authenticated caller")
	}
	if !slices.Contains(Entities, entity) {
		return nil, fault.Newf(fault.Invalid, "not_mergeable", "%s records cannot be merged (entities: account, contact, lead)", entity)
	}
	if len(in.Merge) == 0 {
		return nil, fault.Field("merge", "required", "name at least one record to merge into this one")
	}
	e, err := s.entity(ctx, p.TenantID, entity)
	if err != nil {
		return nil, err
	}
	var out *Merge
	// A merge is an action: the survivor takes the losers' values, read-only ones included, even
	// when it is closed (a qualified lead).
	ctx = records.ByAction(ctx, entity)
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		surv, err := s.recs.Get(ctx, entity, survivor, nil)
		if err != nil {
			return err
		}
		if err := records.CheckETag(in.IfMatch, surv.Version()); err != nil {
			return err
		}
		survivor = surv.ID()
		all := map[string]map[string]any{survivor: surv.Map()}
		var losers []string
		for _, id := range in.Merge {
			rec, err := s.recs.Get(ctx, entity, id, nil)
			if fault.Is(err, fault.NotFound) {
				return fault.Field("merge", "not_found", "%s %s does not exist or is not visible to you", entity, id)
			}
			if err != nil {
				return err
			}
			if _, dup := all[rec.ID()]; dup {
				return fault.Field("merge", "invalid_merge", "%s is named twice or is the survivor", id)
			}
			all[rec.ID()] = rec.Map()
			losers = append(losers, rec.ID())
		}
		set, before, err := chosenValues(e, survivor, all, in.Fields)
		if err != nil {
			return err
		}
		u := undo{Links: map[string][]records.Link{}, Grants: map[string][]records.Grant{}, Losers: map[string]map[string]any{}, Before: before}
		var moved Moved
		skip := append([]string{survivor}, losers...)
		for _, id := range losers {
			refs, err := s.recs.Repoint(ctx, id, survivor, skip)
			if err != nil {
				return err
			}
			links, err := s.recs.MoveLinks(ctx, entity, id, survivor)
			if err != nil {
				return err
			}
			grants, err := s.recs.MoveGrants(ctx, entity, id, survivor)
			if err != nil {
				return err
			}
			u.References = append(u.References, refs...)
			u.Links[id], u.Grants[id], u.Losers[id] = links, grants, inputOf(e, all[id])
			moved.References += len(refs)
			moved.Grants += len(grants)
			for _, l := range links {
				if l.Moved {
					moved.Links++
				}
			}
			if err := s.recs.Delete(ctx, entity, id, ""); err != nil {
				return err
			}
		}
		after, err := s.recs.Update(ctx, entity, survivor, set, "")
		if err != nil {
			return err
		}
		now := s.recs.Now().UTC()
		u.Moved = moved
		out = &Merge{ID: uuid.Must(uuid.NewV7()).String(), Entity: entity, Survivor: survivor, Merged: losers, At: now,
			UndoUntil: now.Add(s.UndoWindow), Moved: moved}
		if err := s.record(ctx, p, out, after.Version(), u); err != nil {
			return err
		}
		return s.event(ctx, "merge", entity, survivor, map[string]any{"merge_id": out.ID, "merged": losers, "fields": in.Fields, "moved": moved})
	})
	if err != nil {
		return nil, fmt.Errorf("dedupe: merge %s: %w", entity, err)
	}
	return out, nil
}

// chosenValues returns the values the survivor takes from the merged records (as input) and
// the survivor's values they replace.
func chosenValues(e *metadata.Entity, survivor string, all map[string]map[string]any, fields map[string]string) (records.Input, map[string]any, error) {
	set, before := records.Input{}, map[string]any{}
	for name, from := range fields {
		a := e.Attr(name)
		if a == nil || (a.System && name != "owner_id") || a.Of != "" || a.Type == metadata.TypeAutonumber {
			return nil, nil, fault.Field("fields."+name, "invalid_field", "%s is not a field of %s that a merge can copy", name, e.Name)
		}
		vals, ok := all[from]
		if !ok {
			for id, v := range all { // ids as given, in another case or form
				if equalID(id, from) {
					vals, ok = v, true
				}
			}
		}
		if !ok {
			return nil, nil, fault.Field("fields."+name, "invalid_field", "%s is not one of the merged records", from)
		}
		if equalID(from, survivor) {
			continue
		}
		set[name] = inputValue(a, vals[name])
		before[name] = inputValue(a, all[survivor][name])
	}
	return set, before, nil
}

func equalID(a, b string) bool {
	ua, err1 := uuid.Parse(a)
	ub, err2 := uuid.Parse(b)
	return err1 == nil && err2 == nil && ua == ub
}

// inputOf renders a record's values as input that creates it again (its id and owner kept).
func inputOf(e *metadata.Entity, vals map[string]any) map[string]any {
	out := map[string]any{}
	for _, a := range e.Columns() {
		if (a.System && a.Name != "id" && a.Name != "owner_id") || a.Of != "" || vals[a.Name] == nil {
			continue
		}
		out[a.Name] = inputValue(a, vals[a.Name])
	}
	return out
}

// inputValue renders a stored value as the API takes it.
func inputValue(a *metadata.Attribute, v any) any {
	switch x := v.(type) {
	case time.Time:
		if a.Type == metadata.TypeDate {
			return x.Format(time.DateOnly)
		}
		return x.UTC().Format(time.RFC3339Nano)
	case decimal.Decimal:
		return x.String()
	case int64:
		return json.Number(strconv.FormatInt(x, 10))
	case int:
		return json.Number(strconv.Itoa(x))
	}
	return v
}

// record stores a merge in merge_log.
func (s *Service) record(ctx context.Context, p principal.Principal, m *Merge, version int64, u undo) error {
	b, err := json.Marshal(u)
	if err != nil {
		return err
	}
	losers, _ := json.Marshal(m.Merged)
	ph := s.st.D.Placeholder
	_, err = s.st.Exec(ctx, `INSERT INTO merge_log (tenant_id, id, entity, survivor_id, losers, survivor_version, undo, merged_at, merged_by) VALUES (`+
		ph(1)+`, `+ph(2)+`, `+ph(3)+`, `+ph(4)+`, `+ph(5)+`, `+ph(6)+`, `+ph(7)+`, `+ph(8)+`, `+ph(9)+`)`,
		p.TenantID, m.ID, m.Entity, m.Survivor, string(losers), version, string(b), s.encodeTime(m.At), nullable(p.UserID))
	if err != nil {
		return fmt.Errorf("dedupe: record merge: %w", err)
	}
	return nil
}
