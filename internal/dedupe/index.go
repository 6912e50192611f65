package dedupe

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
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

// Wire returns the duplicate service of recs and keeps its key index up to date: the changes
// of every write of the entities with rules rewrite their records' keys in the same transaction.
func Wire(recs *records.Service) *Service {
	s := &Service{recs: recs, st: recs.Store(), UndoWindow: 24 * time.Hour}
	for _, name := range Entities {
		recs.OnChanges(name, s.onChanges)
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

// onChanges rewrites the keys of the records one write changed (all of one entity and tenant):
// the old keys of updated and deleted records go, the keys of created and updated ones are
// written, with a few statements for the whole write (an import batch is hundreds of rows).
func (s *Service) onChanges(ctx context.Context, cs []records.Change) error {
	var drop []string
	var put []records.Change
	for _, c := range cs {
		switch c.Op {
		case records.OpCreate:
		case records.OpUpdate, records.OpAssign, records.OpDelete:
			drop = append(drop, c.ID)
		default:
			continue // associations and shares change no values
		}
		if c.After != nil {
			put = append(put, c)
		}
	}
	if len(drop)+len(put) == 0 {
		return nil
	}
	tenant, entity := cs[0].TenantID, cs[0].Entity.Name
	if err := s.dropKeys(ctx, tenant, entity, drop); err != nil {
		return err
	}
	if len(put) == 0 {
		return nil
	}
	rules, err := s.rules(ctx, tenant, entity)
	if err != nil {
		return err
	}
	var ks []keyRow
	for _, c := range put {
		ks = append(ks, keyRows(rules, c.ID, c.After)...)
	}
	return s.putKeys(ctx, tenant, entity, ks)
}

// chunk is how many rows one statement of the key index writes or deletes (5 parameters a row
// stays far below SQLite's and PostgreSQL's limits).
const chunk = 500

// dropKeys deletes the keys of records ids of entity.
func (s *Service) dropKeys(ctx context.Context, tenant, entity string, ids []string) error {
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(len(ids), start+chunk)]
		args := &store.Args{D: s.st.D}
		q := `DELETE FROM dedupe_key WHERE tenant_id = ` + args.Add(tenant) + ` AND entity = ` + args.Add(entity) + ` AND record_id IN (`
		for i, id := range part {
			if i > 0 {
				q += ", "
			}
			q += args.Add(id)
		}
		if _, err := s.st.Exec(ctx, q+`)`, args.List...); err != nil {
			return fmt.Errorf("dedupe: keys of %s: %w", entity, err)
		}
	}
	return nil
}

// keyRow is one row of the key index.
type keyRow struct{ rule, key, id string }

// keyRows returns the index rows of record id with values vals under rules.
func keyRows(rules []Rule, id string, vals map[string]any) []keyRow {
	var out []keyRow
	for _, r := range rules {
		for _, k := range keys(r, vals) {
			out = append(out, keyRow{r.Name, k, id})
		}
	}
	return out
}

// putKeys writes index rows of entity, a few hundred per statement.
func (s *Service) putKeys(ctx context.Context, tenant, entity string, rows []keyRow) error {
	for start := 0; start < len(rows); start += chunk {
		part := rows[start:min(len(rows), start+chunk)]
		args := &store.Args{D: s.st.D}
		var b strings.Builder
		b.WriteString(`INSERT INTO dedupe_key (tenant_id, entity, rule, key, record_id) VALUES `)
		for i, r := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + args.Add(tenant) + ", " + args.Add(entity) + ", " + args.Add(r.rule) + ", " + args.Add(r.key) + ", " + args.Add(r.id) + ")")
		}
		b.WriteString(` ON CONFLICT DO NOTHING`)
		if _, err := s.st.Exec(ctx, b.String(), args.List...); err != nil {
			return fmt.Errorf("dedupe: keys of %s: %w", entity, err)
		}
	}
	return nil
}

// values returns what rule r compares of a record: its normalised values for an exact rule,
// its name's bigrams for a similarity rule, each prefixed by the rule's "also" values (so a
// contact's name is only compared within its account).
func values(r Rule, vals map[string]any) []string {
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

// keys returns the index keys of a record under rule r: its values for an exact rule; for a
// similarity rule only a prefix of its bigrams in a fixed global order (prefix filtering: two
// sets whose Dice score reaches t, Jaccard τ = t/(2−t), share an element among the first
// |A| − ⌈τ·|A|⌉ + 1 of each), which keeps the index about a third of the bigrams' size.
func keys(r Rule, vals map[string]any) []string {
	vs := values(r, vals)
	if !r.similar() || len(vs) == 0 {
		return vs
	}
	sort.Slice(vs, func(i, j int) bool {
		hi, hj := gramOrder(vs[i]), gramOrder(vs[j])
		if hi != hj {
			return hi < hj
		}
		return vs[i] < vs[j]
	})
	t := r.threshold()
	tau := t / (2 - t)
	n := len(vs) - int(math.Ceil(tau*float64(len(vs))-1e-9)) + 1
	return vs[:min(len(vs), max(1, n))]
}

// gramOrder is the global order of bigrams for prefix filtering (a hash: stable across
// processes and releases, and it spreads common bigrams such as 公司 over the positions).
func gramOrder(g string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(g))
	return h.Sum32()
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
	var ks []keyRow
	for _, vals := range all {
		ks = append(ks, keyRows(rules, vals["id"].(string), vals)...)
	}
	return s.putKeys(ctx, tenant, e.Name, ks)
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
