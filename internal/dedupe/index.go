package dedupe

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
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
	stops  stopKeys // bigram keys too common to look up, for a while
}

// Wire returns the duplicate service of recs and keeps its key index up to date: the changes
// of every write of the entities with rules rewrite their records' keys in the same transaction.
func Wire(recs *records.Service) *Service {
	s := &Service{recs: recs, st: recs.Store(), UndoWindow: 24 * time.Hour}
	for _, name := range Entities {
		recs.Register(records.Hook{Name: "dedupe.keys", Entity: name, Staged: s.onChanges, Tables: []string{"dedupe_doc"}})
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

// onChanges rewrites the keys of the records one write changed (all of one entity and tenant),
// with a few statements for the whole write (an import batch is thousands of rows). An update
// that touches none of the compared values writes nothing here. It is a staged reaction
// (records.Staged): the rules are read first, the keys are computed while a bulk create inserts
// its rows, and written after them.
func (s *Service) onChanges(ctx context.Context, cs []records.Change) (records.Compute, error) {
	var keyed []records.Change
	for _, c := range cs {
		switch c.Op {
		case records.OpCreate, records.OpUpdate, records.OpAssign, records.OpDelete:
			keyed = append(keyed, c)
		}
		// associations and shares change no values
	}
	if len(keyed) == 0 {
		return func() (records.Write, error) { return func(context.Context) error { return nil }, nil }, nil
	}
	tenant, entity := keyed[0].TenantID, keyed[0].Entity.Name
	rules, err := s.rules(ctx, tenant, entity)
	if err != nil {
		return nil, err
	}
	return func() (records.Write, error) {
		created, changed := changedKeys(tenant, entity, rules, keyed)
		return func(ctx context.Context) error {
			if err := s.insertDocs(ctx, tenant, entity, created); err != nil {
				return err
			}
			return s.replaceDocs(ctx, tenant, entity, changed)
		}, nil
	}, nil
}

// changedKeys returns the keys of the records keyed creates, and the new keys of those whose
// keys it changes.
func changedKeys(tenant, entity string, rules []Rule, keyed []records.Change) (created, changed []docKeys) {
	// A bulk write's records are keyed on two goroutines.
	olds, curs := make([][]int64, len(keyed)), make([][]int64, len(keyed))
	keyRange := func(from, to int) {
		for i := from; i < to; i++ {
			c := keyed[i]
			if c.After != nil {
				curs[i] = recordKeys(tenant, entity, rules, c.After)
			}
			if c.Before != nil && c.Op != records.OpCreate {
				olds[i] = recordKeys(tenant, entity, rules, c.Before)
			}
		}
	}
	if half := len(keyed) / 2; half >= 256 {
		var wg sync.WaitGroup
		wg.Go(func() { keyRange(0, half) })
		keyRange(half, len(keyed))
		wg.Wait()
	} else {
		keyRange(0, len(keyed))
	}
	for i, c := range keyed {
		switch {
		case c.Op == records.OpCreate:
			if len(curs[i]) > 0 {
				created = append(created, docKeys{c.ID, curs[i]})
			}
		case !slices.Equal(olds[i], curs[i]):
			changed = append(changed, docKeys{c.ID, curs[i]})
		}
	}
	return created, changed
}

// keyHash is the index's form of key k of rule in a tenant's entity: a 64-bit FNV-1a hash of
// all four. A collision only adds a candidate, which scoring against the record's values then
// drops (and the look-up checks the tenant and entity).
func keyHash(tenant, entity, rule, k string) int64 { return hasherOf(tenant, entity, rule).key(k) }

// keyHasher is keyHash's state after a tenant, entity and rule: the hashes of several keys of a
// rule share it.
type keyHasher uint64

func hasherOf(tenant, entity, rule string) keyHasher {
	h := uint64(14695981039346656037)
	for _, part := range [3]string{tenant, entity, rule} {
		h = fnvAdd(h, part)
	}
	return keyHasher(h)
}

func (h keyHasher) key(k string) int64 { return int64(fnvAdd(uint64(h), k)) }

// fnvAdd hashes part and a zero byte after it (h ^ 0 is h) into h.
func fnvAdd(h uint64, part string) uint64 {
	for i := 0; i < len(part); i++ {
		h ^= uint64(part[i])
		h *= 1099511628211
	}
	return h * 1099511628211
}

// recordKeys returns the index keys of a record of a tenant's entity with values vals under
// rules, sorted and distinct.
func recordKeys(tenant, entity string, rules []Rule, vals map[string]any) []int64 {
	var out []int64
	for _, r := range rules {
		vs, whole := ruleValues(r, vals)
		h := hasherOf(tenant, entity, r.Name)
		for _, k := range prefixKeys(r, vs) {
			out = append(out, h.key(k))
		}
		for _, k := range whole {
			out = append(out, h.key(k))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// values returns what rule r compares of a record: its normalised values for an exact rule,
// its name's bigrams for a similarity rule, each prefixed by the rule's "also" values (so a
// contact's name is only compared within its account).
func values(r Rule, vals map[string]any) []string {
	vs, _ := ruleValues(r, vals)
	return vs
}

// ruleValues returns values(r, vals) and wholeNames(r, vals), normalising each name once.
func ruleValues(r Rule, vals map[string]any) (vs, whole []string) {
	prefix := alsoKey(r, vals)
	for _, a := range r.Attributes {
		v, _ := vals[a].(string)
		if v == "" {
			continue
		}
		var ks []string
		if r.similar() {
			n := NormalName(v, r.Match == MatchCompany)
			ks = Bigrams(n)
			if w := "=" + prefix + n; n != "" && !slices.Contains(whole, w) {
				whole = append(whole, w)
			}
		} else if k := exactKey(r, v); k != "" {
			ks = []string{k}
		}
		first := len(vs) == 0 // ks are distinct: only later attributes' values can repeat them
		for _, k := range ks {
			if prefix != "" {
				k = prefix + k
			}
			if first || !slices.Contains(vs, k) {
				vs = append(vs, k)
			}
		}
	}
	return vs, whole
}

// keys returns the index keys of a record under rule r: its values for an exact rule; for a
// similarity rule only a prefix of its bigrams in a fixed global order (prefix filtering: two
// sets whose Dice score reaches t, Jaccard τ = t/(2−t), share an element among the first
// |A| − ⌈τ·|A|⌉ + 1 of each), which keeps the index about a third of the bigrams' size.
func keys(r Rule, vals map[string]any) []string { return prefixKeys(r, values(r, vals)) }

// prefixKeys is keys given the rule's values vs (which it reorders).
func prefixKeys(r Rule, vs []string) []string {
	if !r.similar() || len(vs) == 0 {
		return vs
	}
	type gram struct {
		order uint32
		text  string
	}
	gs := make([]gram, len(vs))
	for i, v := range vs {
		gs[i] = gram{gramOrder(v), v}
	}
	slices.SortFunc(gs, func(a, b gram) int { return cmp.Or(cmp.Compare(a.order, b.order), strings.Compare(a.text, b.text)) })
	for i, g := range gs {
		vs[i] = g.text
	}
	t := r.threshold()
	tau := t / (2 - t)
	n := len(vs) - int(math.Ceil(tau*float64(len(vs))-1e-9)) + 1
	return vs[:min(len(vs), max(1, n))]
}

// wholeNames returns the keys of a similarity rule that match a whole normalised name ("=" in
// front keeps them apart from bigrams), so that records of the very same name find each other
// however many share it — their bigrams are then common, and common bigrams are skipped as stop
// keys (sharing). An exact rule has none.
func wholeNames(r Rule, vals map[string]any) []string {
	_, whole := ruleValues(r, vals)
	return whole
}

// gramOrder is the global order of bigrams for prefix filtering (a 32-bit FNV-1a hash: stable
// across processes and releases, and it spreads common bigrams such as 公司 over the positions).
func gramOrder(g string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(g); i++ {
		h ^= uint32(g[i])
		h *= 16777619
	}
	return h
}

// alsoKey is the part of a key made of the rule's "also" values ("" for none).
func alsoKey(r Rule, vals map[string]any) string {
	if len(r.Also) == 0 {
		return ""
	}
	parts := make([]string, len(r.Also))
	for i, a := range r.Also {
		v, ok := vals[a].(string)
		switch {
		case vals[a] == nil:
			v = ""
		case !ok:
			v = fmt.Sprint(vals[a])
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

// reindex rebuilds the keys of every record of e in tenant (after a change of its rules, or
// for records never indexed). It reads the entity table directly, as the server: what a caller
// sees is decided when searching.
func (s *Service) reindex(ctx context.Context, tenant string, e *metadata.Entity) error {
	ph := s.st.D.Placeholder
	if err := s.clearDocs(ctx, tenant, e.Name); err != nil {
		return err
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
	for n, a := range attrs {
		names = append(names, n)
		cols = append(cols, store.Col("t", a))
	}
	// In pages of reindexPage records by id, so a tenant of a million accounts is never held
	// in memory at once.
	q := `SELECT ` + strings.Join(cols, ", ") + ` FROM ` + store.From(e, "t") + ` WHERE t."tenant_id" = ` + ph(1) +
		` AND t."id" > ` + ph(2) + ` ORDER BY t."id" LIMIT ` + strconv.Itoa(reindexPage)
	after := "00000000-0000-0000-0000-000000000000" // below every id
	for {
		page, err := s.readPage(ctx, q, names, attrs, s.st.D.Encode(idAttr, tenant), s.st.D.Encode(idAttr, after))
		if err != nil {
			return fmt.Errorf("dedupe: reindex %s: %w", e.Name, err)
		}
		var docs []docKeys
		for _, vals := range page {
			if ks := recordKeys(tenant, e.Name, rules, vals); len(ks) > 0 {
				docs = append(docs, docKeys{vals["id"].(string), ks})
			}
		}
		if err := s.insertDocs(ctx, tenant, e.Name, docs); err != nil {
			return err
		}
		if len(page) < reindexPage {
			return nil
		}
		after = page[len(page)-1]["id"].(string)
	}
}

// reindexPage is how many records reindex reads at a time (a variable for tests).
var reindexPage = 5000

// readPage runs q and decodes its rows, whose columns are the attributes names.
func (s *Service) readPage(ctx context.Context, q string, names []string, attrs map[string]*metadata.Attribute, args ...any) ([]map[string]any, error) {
	rows, err := s.st.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []map[string]any
	raw := make([]any, len(names))
	ptrs := make([]any, len(names))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		vals := make(map[string]any, len(names))
		for i, n := range names {
			v, err := s.st.D.Decode(attrs[n], raw[i])
			if err != nil {
				return nil, err
			}
			vals[n] = v
		}
		out = append(out, vals)
	}
	return out, rows.Err()
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
	done := map[[2]string]bool{}
	rows, err := s.st.Query(ctx, `SELECT tenant_id, entity FROM dedupe_state`)
	if err != nil {
		return 0, fmt.Errorf("dedupe: backfill: %w", err)
	}
	for rows.Next() {
		var raw any
		var entity string
		if err := rows.Scan(&raw, &entity); err != nil {
			rows.Close()
			return 0, err
		}
		id, err := s.st.D.Decode(idAttr, raw)
		if err != nil {
			rows.Close()
			return 0, err
		}
		done[[2]string{strings.ToLower(id.(string)), entity}] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	ph := s.st.D.Placeholder
	for _, tenant := range tenants {
		for _, name := range Entities {
			if done[[2]string{strings.ToLower(tenant), name}] {
				continue // indexed already: the tenant's model need not even be built
			}
			e, err := s.entity(ctx, tenant, name)
			if err != nil {
				if fault.Is(err, fault.NotFound) {
					continue
				}
				return n, fmt.Errorf("dedupe: backfill: %w", err)
			}
			err = s.st.WithTx(ctx, func(ctx context.Context) error {
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
