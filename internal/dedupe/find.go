package dedupe

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/people"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// Candidate is a possible duplicate of a record.
type Candidate struct {
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Score float64 `json:"score"` // 1 for an exact match, the name similarity otherwise
	// Rules are the rules that matched, Fields the attributes they compared.
	Rules  []string `json:"rules"`
	Fields []string `json:"fields"`
}

// idAttr decodes scanned record ids.
var idAttr = &metadata.Attribute{Name: "id", Type: metadata.TypeGUID}

// maxCandidates caps the records one rule fetches from the key index (those sharing the most
// keys first).
const maxCandidates = 100

// Find returns the records of entity that the rules say duplicate a record with values vals
// (typed values or JSON input; full_name is composed from first and last names when absent),
// best first, leaving out the ids in exclude. Only records the caller may read are returned.
func (s *Service) Find(ctx context.Context, entity string, vals map[string]any, exclude ...string) ([]Candidate, error) {
	tenant, rules, err := s.callerRules(ctx, entity)
	if err != nil {
		return nil, err
	}
	return s.find(ctx, tenant, entity, rules, vals, maxCandidates, exclude...)
}

// FindTop is Find looking at the top records of each rule only — those sharing the most keys
// with vals — instead of maxCandidates: for the warning a create answers with, where reading a
// hundred similar names per rule would cost more than the create itself.
func (s *Service) FindTop(ctx context.Context, entity string, vals map[string]any, top int, exclude ...string) ([]Candidate, error) {
	tenant, rules, err := s.callerRules(ctx, entity)
	if err != nil {
		return nil, err
	}
	return s.find(ctx, tenant, entity, rules, vals, min(max(top, 1), maxCandidates), exclude...)
}

// callerRules returns the caller's tenant and the rules of entity there.
func (s *Service) callerRules(ctx context.Context, entity string) (string, []Rule, error) {
	p, ok := principal.From(ctx)
	if !ok {
		return "", nil, fault.New(fault.Unauthenticated, "unauthenticated", "no authenticated caller")
	}
	rules, err := s.rules(ctx, p.TenantID, entity)
	return p.TenantID, rules, err
}

// find is Find with the rules of entity in tenant read, looking at the top records of each rule
// (at most maxCandidates).
func (s *Service) find(ctx context.Context, tenant, entity string, rules []Rule, vals map[string]any, top int, exclude ...string) ([]Candidate, error) {
	e, err := s.entity(ctx, tenant, entity)
	if err != nil {
		return nil, err
	}
	vals = withFullName(vals)
	ids := map[string]bool{}
	var order []string
	for _, r := range rules {
		found, err := s.lookup(ctx, tenant, entity, r, vals, top)
		if err != nil {
			return nil, err
		}
		for _, id := range found {
			if !ids[id] && !slices.Contains(exclude, id) {
				ids[id] = true
				order = append(order, id)
			}
		}
	}
	if len(order) == 0 {
		return []Candidate{}, nil
	}
	recs, err := s.readable(ctx, e, order, rules)
	if err != nil {
		return nil, err
	}
	mine := make([][]string, len(rules))
	for i, r := range rules {
		mine[i] = values(r, vals)
	}
	out := []Candidate{}
	for _, rec := range recs {
		if c, ok := score(rules, mine, rec.Map()); ok {
			c.ID = rec.ID()
			if e.PrimaryName != "" {
				c.Name, _ = rec.Get(e.PrimaryName).(string)
			}
			out = append(out, c)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return len(out[i].Rules) > len(out[j].Rules)
	})
	return out, nil
}

// withFullName composes full_name from first and last names as a write would (Find runs on
// input before the write pipeline has derived it; people.Wire).
func withFullName(vals map[string]any) map[string]any {
	if _, ok := vals["full_name"]; ok {
		return vals
	}
	first, _ := vals["first_name"].(string)
	last, _ := vals["last_name"].(string)
	if first == "" && last == "" {
		return vals
	}
	out := make(map[string]any, len(vals)+1)
	for k, v := range vals {
		out[k] = v
	}
	out["full_name"] = people.FullName(first, last)
	return out
}

// lookup returns the ids of records sharing a key with a record of values vals under rule r,
// most shared first: an exact rule's values, a similarity rule's whole names and bigram prefix
// (any shared bigram makes a candidate, unless it is a stop key).
func (s *Service) lookup(ctx context.Context, tenant, entity string, r Rule, vals map[string]any, top int) ([]string, error) {
	hashes := func(ks []string) []int64 {
		hs := make([]int64, len(ks))
		for i, k := range ks {
			hs[i] = keyHash(tenant, entity, r.Name, k)
		}
		slices.Sort(hs)
		return slices.Compact(hs)
	}
	if !r.similar() {
		return s.sharing(ctx, tenant, entity, hashes(keys(r, vals)), nil, top)
	}
	return s.sharing(ctx, tenant, entity, hashes(wholeNames(r, vals)), hashes(keys(r, vals)), top)
}

// readable reads the candidates ids of e through the records read path: those the caller may
// not read drop out. Only what scoring and the answer need is read — the id, the primary name
// and the rules' attributes the caller may read — not whole records (a look-up reads up to
// maxCandidates of them per rule).
func (s *Service) readable(ctx context.Context, e *metadata.Entity, ids []string, rules []Rule) ([]*records.Record, error) {
	may := s.recs.Readable(ctx)
	var sel []query.Path
	seen := map[string]bool{}
	add := func(name string) {
		a := e.Attr(name)
		if name == "" || seen[name] || a == nil || (may != nil && !may(e, a)) {
			return
		}
		seen[name] = true
		sel = append(sel, query.Path{Segments: []string{name}})
	}
	add("id")
	add(e.PrimaryName)
	for _, r := range rules {
		for _, a := range append(slices.Clone(r.Attributes), r.Also...) {
			add(a)
		}
	}
	page, err := s.recs.List(ctx, e.Name, &query.Options{Filter: query.IDIn(ids), Select: sel, Unordered: true}, records.ReadOptions{PageSize: len(ids)})
	if err != nil {
		return nil, err
	}
	return page.Records, nil
}

// score compares a record's values with a candidate's under every rule and says whether any
// rule matched.
// mine holds the record's values under each rule (values), computed once for all candidates.
func score(rules []Rule, mine [][]string, cand map[string]any) (Candidate, bool) {
	var c Candidate
	for i, r := range rules {
		mine, theirs := mine[i], values(r, cand)
		if len(mine) == 0 || len(theirs) == 0 {
			continue
		}
		var sc float64
		if r.similar() {
			if sc = Dice(mine, theirs); sc < r.threshold() {
				continue
			}
		} else if Dice(mine, theirs) > 0 {
			sc = 1
		} else {
			continue
		}
		c.Rules = append(c.Rules, r.Name)
		for _, a := range r.Attributes {
			if !slices.Contains(c.Fields, a) {
				c.Fields = append(c.Fields, a)
			}
		}
		c.Score = max(c.Score, math.Round(sc*1000)/1000)
	}
	return c, len(c.Rules) > 0
}

// Describe describes the possible duplicates of record id of entity, whose values are vals,
// one line each (the import lists them as warnings).
func (s *Service) Describe(ctx context.Context, entity, id string, vals map[string]any) ([]string, error) {
	cands, err := s.Find(ctx, entity, vals, id)
	if err != nil {
		return nil, err
	}
	return describe(entity, cands), nil
}

// describe renders candidates of entity as Describe's lines.
func describe(entity string, cands []Candidate) []string {
	out := make([]string, len(cands))
	for i, c := range cands {
		out[i] = fmt.Sprintf("%s %s %q (matched by %s, score %g)", entity, c.ID, c.Name, strings.Join(c.Rules, ", "), c.Score)
	}
	return out
}

// DescribeMany is Describe for records ids of entity, whose values are vals, just written by
// one bulk write (an import batch), at most max lines in all.
func (s *Service) DescribeMany(ctx context.Context, entity string, ids []string, vals []map[string]any, max int) ([][]string, error) {
	found, err := s.findMany(ctx, entity, ids, vals, max, maxCandidates)
	if err != nil {
		return nil, err
	}
	out := make([][]string, len(ids))
	for i, cands := range found {
		if len(cands) > 0 {
			out[i] = describe(entity, cands)
		}
	}
	return out, nil
}

// FindMany is FindTop for each of the records ids of entity, whose values as stored are vals,
// just written by one bulk write (a $batch of creates): its candidates among the top records of
// each rule, none ([]) when it has none.
func (s *Service) FindMany(ctx context.Context, entity string, ids []string, vals []map[string]any, top int) ([][]Candidate, error) {
	return s.findMany(ctx, entity, ids, vals, -1, min(max(top, 1), maxCandidates))
}

// findMany is FindMany, stopping once max candidates are found (no limit when max < 0).
// Records that hold no key another record holds have none: on SQLite one query per few hundred
// keys finds those that do, and only they are looked up (which costs a query per key).
func (s *Service) findMany(ctx context.Context, entity string, ids []string, vals []map[string]any, max, top int) ([][]Candidate, error) {
	tenant, rules, err := s.callerRules(ctx, entity)
	if err != nil {
		return nil, err
	}
	keysOf := make([][]int64, len(ids))
	var all []int64
	for i := range ids {
		keysOf[i] = recordKeys(tenant, entity, rules, withFullName(vals[i]))
		all = append(all, keysOf[i]...)
	}
	slices.Sort(all)
	shared, err := s.heldByOthers(ctx, slices.Compact(all))
	if err != nil {
		return nil, err
	}
	out := make([][]Candidate, len(ids))
	found := 0
	for i, id := range ids {
		out[i] = []Candidate{}
		if max >= 0 && found >= max {
			continue
		}
		if !slices.ContainsFunc(keysOf[i], func(k int64) bool { return shared[k] }) {
			continue
		}
		cands, err := s.find(ctx, tenant, entity, rules, vals[i], top, id)
		if err != nil {
			return nil, err
		}
		out[i] = cands
		found += len(cands)
	}
	return out, nil
}

// entity returns entity name of tenant's data model.
func (s *Service) entity(ctx context.Context, tenant, name string) (*metadata.Entity, error) {
	m, err := s.recs.Registry().Model(ctx, tenant)
	if err != nil {
		return nil, err
	}
	e := m.Entity(name)
	if e == nil {
		return nil, fault.Newf(fault.NotFound, "unknown_entity", "entity %s does not exist", name)
	}
	return e, nil
}
