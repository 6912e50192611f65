package dedupe

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
)

// IndexedKeys returns the keys the index holds for record id of entity in tenant (nil: no
// index row).
func (s *Service) IndexedKeys(ctx context.Context, tenant, entity, id string) ([]int64, error) {
	ph := s.st.D.Placeholder
	keys := "keys"
	if !s.sqlite() {
		keys = "keys::text"
	}
	rows, err := s.st.Query(ctx, `SELECT `+keys+` FROM dedupe_doc WHERE tenant_id = `+ph(1)+` AND entity = `+ph(2)+` AND record_id = `+ph(3),
		s.st.D.Encode(idAttr, tenant), entity, s.st.D.Encode(idAttr, id))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	n := 0
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			return nil, err
		}
		n++
		if s.sqlite() {
			out = parseKeyWords(text)
		} else {
			out = parsePGArray(text)
		}
	}
	if n > 1 {
		return nil, errTwoRows
	}
	return out, rows.Err()
}

// ExpectedKeys returns the keys the index should hold for a record with values vals.
func (s *Service) ExpectedKeys(ctx context.Context, tenant, entity string, vals map[string]any) ([]int64, error) {
	rules, err := s.rules(ctx, tenant, entity)
	if err != nil {
		return nil, err
	}
	ks := recordKeys(tenant, entity, rules, vals)
	if len(ks) == 0 {
		return nil, nil
	}
	return slices.Clip(ks), nil
}

type twoRows struct{}

func (twoRows) Error() string { return "two index rows for one record" }

var errTwoRows error = twoRows{}

// SetReindexPage makes reindex read n records at a time until the returned function runs.
func SetReindexPage(n int) func() {
	old := reindexPage
	reindexPage = n
	return func() { reindexPage = old }
}

// parseKeyWords reads keyWords back.
func parseKeyWords(s string) []int64 {
	var out []int64
	for _, w := range strings.Fields(s) {
		if u, err := strconv.ParseUint(strings.TrimPrefix(w, "k"), 16, 64); err == nil {
			out = append(out, int64(u))
		}
	}
	return out
}

// parsePGArray reads a bigint[] in text form.
func parsePGArray(s string) []int64 {
	var out []int64
	for _, p := range strings.Split(strings.Trim(s, "{}"), ",") {
		if k, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64); err == nil {
			out = append(out, k)
		}
	}
	return out
}

// DocRecordsPlan returns SQLite's query plan for mapping n documents to their records.
func (s *Service) DocRecordsPlan(ctx context.Context, tenant string, n int) (string, error) {
	docs := make([]string, n)
	for i := range docs {
		docs[i] = strconv.Itoa(i + 1)
	}
	q, args := docRecords(s.st.D, s.st.D.Encode(idAttr, tenant), "account", docs)
	rows, err := s.st.Query(ctx, `EXPLAIN QUERY PLAN `+q, args...)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			return "", err
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; "), rows.Err()
}

// StopKeys returns how many stop keys the service remembers.
func (s *Service) StopKeys() int {
	s.stops.mu.Lock()
	defer s.stops.mu.Unlock()
	return len(s.stops.until)
}

// StopKeyMemory exposes the stop-key memory to tests.
type StopKeyMemory struct{ m stopKeys }

func (x *StopKeyMemory) Add(k int64, now time.Time)      { x.m.add(k, now) }
func (x *StopKeyMemory) Has(k int64, now time.Time) bool { return x.m.has(k, now) }
func (x *StopKeyMemory) Len() int                        { return len(x.m.until) }
