package layout

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"testing"
)

// planOf returns the plan the database makes for q with args, one line per step.
func planOf(ctx context.Context, t *testing.T, c *sql.Conn, d dialect, q string, args ...any) string {
	t.Helper()
	prefix := "EXPLAIN (COSTS OFF) "
	if d == sqliteDB {
		prefix = "EXPLAIN QUERY PLAN "
	}
	// PostgreSQL's only column, SQLite's last (the step's detail).
	rows, err := c.QueryContext(ctx, prefix+q, args...)
	lines, err := texts(rows, err, -1)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return strings.Join(lines, "\n")
}

// TestExtensionJoinPlans checks the plans layout X relies on, so that a planner change that
// breaks them is caught: a read of an account that references no custom column does not touch
// the tenant's extension table although its SQL joins it (both databases remove a LEFT JOIN to
// a table whose primary key the join matches when none of its columns is used), and a filter on
// an indexed custom column searches the extension table's index.
func TestExtensionJoinPlans(t *testing.T) {
	ctx := context.Background()
	d := currentDialect()
	db := openTestDB(t)
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	l := layout{kind: layoutX, d: d, cat: &catalog{tables: []table{*cat.table("account")}}}
	tn := newTenants(2)
	stmts := l.sharedDDL()
	for _, key := range tn.keys {
		stmts = append(stmts, l.tenantDDL(key)...)
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	a := makeAccounts(d, l.cat, tn.ids[0], 5, 1)
	if err := loadAccounts(ctx, db, l, tn.keys[0], tn.ids[0], a); err != nil {
		t.Fatal(err)
	}
	if err := analyze(ctx, db, l, tn.keys[:1]); err != nil {
		t.Fatal(err)
	}
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if d == postgresDB {
		// A few rows make a sequential scan the cheapest plan; the question here is whether the
		// index can serve the filter, not whether it pays on five rows.
		if _, err := c.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
			t.Fatal(err)
		}
	}
	key, tenant := tn.keys[0], tn.ids[0]
	ext := l.own(key).name("account")
	extIndex := indexName("ix", ext, filterColumn)
	cases := []struct {
		read    read
		arg     any
		touches bool   // the plan reads the extension table
		uses    string // an index the plan must use, if any
	}{
		{readGetSystem, a.ids[2], false, ""},
		{readListNameSystem, nil, false, ""},
		{readGet, a.ids[2], true, ""},
		{readListName, nil, true, ""},
		{readListFilter, segment(1), true, extIndex},
	}
	for _, tc := range cases {
		t.Run(string(tc.read), func(t *testing.T) {
			q := l.accountSQL(key, tc.read)
			args := []any{tenant}
			if tc.arg != nil {
				args = append(args, tc.arg)
			}
			plan := planOf(ctx, t, c, d, q, args...)
			t.Logf("plan:\n%s", plan)
			if got := strings.Contains(plan, ext); got != tc.touches {
				t.Errorf("plan reads %s: %v, want %v\n%s\n%s", ext, got, tc.touches, q, plan)
			}
			if tc.uses != "" && !strings.Contains(plan, tc.uses) {
				t.Errorf("plan does not use index %s:\n%s", tc.uses, plan)
			}
			// The join must not change the answer: every account of the tenant, once.
			rows, err := c.QueryContext(ctx, q, args...)
			ids, err := texts(rows, err, 0)
			if err != nil {
				t.Fatal(err)
			}
			if (tc.read == readListName || tc.read == readListNameSystem) && len(ids) != len(a.ids) ||
				(tc.read == readGet || tc.read == readGetSystem) && !slices.Equal(ids, []string{a.ids[2]}) {
				t.Errorf("rows %v, want the tenant's accounts %v", ids, a.ids)
			}
		})
	}
}
