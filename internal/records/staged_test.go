package records_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
)

// TestStagedReactions: a staged reaction prepares in the write's transaction, computes without
// it, and writes after the rows are in (in the transaction: it sees them); a failing or panicking
// compute stage fails the whole bulk write, which then leaves nothing behind.
func TestStagedReactions(t *testing.T) {
	e := newEnv(t)
	var computed []string
	var seen int
	e.svc.Register(records.Hook{Name: "test.staged", Entity: "account", Staged: func(ctx context.Context, cs []records.Change) (records.Compute, error) {
		if !store.InTx(ctx) {
			return nil, errors.New("prepare ran outside the transaction")
		}
		return func() (records.Write, error) {
			for _, c := range cs {
				switch c.After["name"] {
				case "fail":
					return nil, errors.New("compute failed")
				case "panic":
					panic("compute panicked")
				}
				computed = append(computed, c.ID)
			}
			return func(ctx context.Context) error {
				ph := make([]string, len(cs))
				args := []any{e.tenant}
				for i, c := range cs {
					ph[i] = e.st.D.Placeholder(i + 2)
					args = append(args, c.ID)
				}
				q := `SELECT COUNT(*) FROM "account" WHERE "tenant_id" = ` + e.st.D.Placeholder(1) + ` AND "id" IN (` + strings.Join(ph, ", ") + `)`
				return e.st.DB(ctx).QueryRowContext(ctx, q, args...).Scan(&seen)
			}, nil
		}, nil
	}})

	// A bulk create: every row computed, and all of them visible to the write stage.
	var rows []records.Input
	for i := range 600 {
		rows = append(rows, body(t, fmt.Sprintf(`{"name":"Staged %d"}`, i)))
	}
	ids, bad, err := e.svc.CreateMany(e.ctx, "account", rows)
	if err != nil || len(bad) > 0 {
		t.Fatalf("%v %v", bad, err)
	}
	if len(computed) != 600 || computed[0] != ids[0] || computed[599] != ids[599] || seen != 600 {
		t.Fatalf("computed %d changes, the write stage saw %d rows; want 600 and 600", len(computed), seen)
	}
	// A single create runs the stages in line.
	one := e.create("account", `{"name":"Single"}`)
	if computed[len(computed)-1] != one.ID() || seen != 1 {
		t.Fatalf("single create: last computed %s, saw %d", computed[len(computed)-1], seen)
	}

	// Failing stages fail the write and keep none of its rows.
	for _, name := range []string{"fail", "panic"} {
		before := e.count("account")
		_, _, err := e.svc.CreateMany(e.ctx, "account", []records.Input{body(t, `{"name":"fine"}`), body(t, `{"name":"`+name+`"}`)})
		if err == nil || !strings.Contains(err.Error(), name[:4]) {
			t.Fatalf("%s: error %v", name, err)
		}
		if after := e.count("account"); after != before {
			t.Fatalf("%s: %d accounts written by a failed bulk create", name, after-before)
		}
	}
}
