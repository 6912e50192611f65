package dedupe

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
)

// Service finds and merges duplicates.
type Service struct {
	recs *records.Service
	st   *store.Store
	// UndoWindow is how long a merge can be undone (default 24 hours).
	UndoWindow time.Duration
	// Events, when set, records merges, undos and rule changes on the audit trail.
	Events func(ctx context.Context, action, entity, id string, details map[string]any) error
}

// Wire returns the duplicate service of recs and keeps its key index up to date: every change
// of a record of the entities with rules rewrites the record's keys in the same transaction.
func Wire(recs *records.Service) *Service {
	s := &Service{recs: recs, st: recs.Store(), UndoWindow: 24 * time.Hour}
	for _, name := range Entities {
		recs.OnChange(name, s.onChange)
	}
	return s
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

func (s *Service) event(ctx context.Context, action, entity, id string, details map[string]any) error {
	if s.Events == nil {
		return nil
	}
	return s.Events(ctx, action, entity, id, details)
}

// onChange rewrites the keys of the changed record.
func (s *Service) onChange(ctx context.Context, c records.Change) error {
	if c.Op != records.OpCreate && c.Op != records.OpUpdate && c.Op != records.OpDelete && c.Op != records.OpAssign {
		return nil
	}
	if err := s.dropKeys(ctx, c.TenantID, c.Entity.Name, c.ID); err != nil {
		return err
	}
	if c.After == nil {
		return nil
	}
	rules, err := s.rules(ctx, c.TenantID, c.Entity.Name)
	if err != nil {
		return err
	}
	return s.putKeys(ctx, c.TenantID, c.Entity.Name, c.ID, rules, c.After)
}

func (s *Service) dropKeys(ctx context.Context, tenant, entity, id string) error {
	ph := s.st.D.Placeholder
	if _, err := s.st.Exec(ctx, `DELETE FROM dedupe_key WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2)+` AND record_id = `+ph(3), tenant, entity, id); err != nil {
		return fmt.Errorf("dedupe: keys of %s %s: %w", entity, id, err)
	}
	return nil
}

func (s *Service) putKeys(ctx context.Context, tenant, entity, id string, rules []Rule, vals map[string]any) error {
	ph := s.st.D.Placeholder
	for _, r := range rules {
		for _, k := range keys(r, vals) {
			if _, err := s.st.Exec(ctx, `INSERT INTO dedupe_key (tenant_id, entity, rule, key, record_id) VALUES (`+ph(1)+`, `+ph(2)+`, `+ph(3)+`, `+ph(4)+`, `+ph(5)+`)`+
				` ON CONFLICT DO NOTHING`, tenant, entity, r.Name, k, id); err != nil {
				return fmt.Errorf("dedupe: keys of %s %s: %w", entity, id, err)
			}
		}
	}
	return nil
}

// keys returns the index keys of a record's values under rule r: its normalised values for an
// exact rule, its name's bigrams for a similarity rule, each prefixed by the rule's "also"
// values (so a contact's name is only looked up within its account).
func keys(r Rule, vals map[string]any) []string {
	prefix := alsoKey(r, vals)
	var out []string
	seen := map[string]bool{}
	for _, a := range r.Attributes {
		v, _ := vals[a].(string)
		if v == "" {
			continue
		}
		var ks []string
		if r.similar() {
			ks = Bigrams(NormalName(v, r.Match == MatchCompany))
		} else if k := exactKey(r, v); k != "" {
			ks = []string{k}
		}
		for _, k := range ks {
			if !seen[k] {
				seen[k] = true
				out = append(out, prefix+k)
			}
		}
	}
	return out
}

// alsoKey is the part of a key made of the rule's "also" values ("" for none).
func alsoKey(r Rule, vals map[string]any) string {
	if len(r.Also) == 0 {
		return ""
	}
	parts := make([]string, len(r.Also))
	for i, a := range r.Also {
		v := fmt.Sprint(vals[a])
		if vals[a] == nil {
			v = ""
		}
		parts[i] = NormalName(v, true)
	}
	return strings.Join(parts, "|") + "|"
}

func exactKey(r Rule, v string) string {
	switch r.Match {
	case MatchEmail:
		return NormalEmail(v)
	case MatchPhone:
		return E164(v, r.CountryCode)
	case MatchDomain:
		return Domain(v)
	}
	return ""
}

// reindex rebuilds the keys of every record of e in tenant (after a change of its rules). It
// reads the entity table directly, as the server: what a caller sees is decided when searching.
func (s *Service) reindex(ctx context.Context, tenant string, e *metadata.Entity) error {
	ph := s.st.D.Placeholder
	if _, err := s.st.Exec(ctx, `DELETE FROM dedupe_key WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2), tenant, e.Name); err != nil {
		return fmt.Errorf("dedupe: reindex %s: %w", e.Name, err)
	}
	rules, err := s.rules(ctx, tenant, e.Name)
	if err != nil {
		return err
	}
	attrs := map[string]*metadata.Attribute{"id": e.Attr("id")}
	for _, r := range rules {
		for _, a := range append(append([]string{}, r.Attributes...), r.Also...) {
			attrs[a] = e.Attr(a)
		}
	}
	var names []string
	var cols []string
	for n := range attrs {
		names = append(names, n)
		cols = append(cols, store.Quote(n))
	}
	rows, err := s.st.Query(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+store.Quote(e.Name)+` WHERE "tenant_id" = `+ph(1), tenant)
	if err != nil {
		return fmt.Errorf("dedupe: reindex %s: %w", e.Name, err)
	}
	var all []map[string]any
	raw := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return err
		}
		vals := map[string]any{}
		for i, n := range names {
			v, err := s.st.D.Decode(attrs[n], raw[i])
			if err != nil {
				rows.Close()
				return err
			}
			vals[n] = v
		}
		all = append(all, vals)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, vals := range all {
		if err := s.putKeys(ctx, tenant, e.Name, vals["id"].(string), rules, vals); err != nil {
			return err
		}
	}
	return nil
}

// Backfill indexes the records of every tenant and entity with duplicate detection that were
// never indexed as a whole — those written before the key index existed, on a database upgraded
// to this release — and records each (tenant, entity) in dedupe_state so that it happens once.
// Records written since are indexed by the write path anyway. It returns how many (tenant,
// entity) pairs it indexed.
func (s *Service) Backfill(ctx context.Context) (int, error) {
	ctx = store.AsOwner(ctx)
	tenants, err := s.st.QueryIDs(ctx, `SELECT id FROM tenant ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("dedupe: backfill: %w", err)
	}
	n := 0
	ph := s.st.D.Placeholder
	for _, tenant := range tenants {
		for _, name := range Entities {
			e := s.recs.Model().Entity(name)
			if e == nil {
				continue
			}
			err := s.st.WithTx(ctx, func(ctx context.Context) error {
				var one int
				err := s.st.QueryRow(ctx, `SELECT 1 FROM dedupe_state WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2), tenant, name).Scan(&one)
				if err == nil {
					return nil
				}
				if !isNoRows(err) {
					return err
				}
				if err := s.reindex(ctx, tenant, e); err != nil {
					return err
				}
				n++
				_, err = s.st.Exec(ctx, `INSERT INTO dedupe_state (tenant_id, entity, indexed_at) VALUES (`+ph(1)+`, `+ph(2)+`, `+ph(3)+`) ON CONFLICT DO NOTHING`,
					tenant, name, s.timestamp())
				return err
			})
			if err != nil {
				return n, fmt.Errorf("dedupe: backfill %s: %w", name, err)
			}
		}
	}
	return n, nil
}
