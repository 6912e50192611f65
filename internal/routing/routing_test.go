package routing_test

import (
	"context"
	"sort"
	"sync"
	"testing"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/routing"
	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// open returns a store with the system entities, a records service with routing wired, and a
// context acting as the server in a new tenant.
func open(t *testing.T) (*store.Store, *records.Service, context.Context) {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	sys, err := metadata.System()
	if err != nil {
		t.Fatal(err)
	}
	model, err := st.SyncSystem(ctx, sys, "")
	if err != nil {
		t.Fatal(err)
	}
	recs := records.NewService(st, metadata.NewRegistry(model, st), records.Options{})
	routing.Wire(recs)
	ten, err := tenant.Create(ctx, st, "Acme", "acme", recs.Now())
	if err != nil {
		t.Fatal(err)
	}
	as := principal.With(ctx, principal.System(ten.ID))
	return st, recs, as
}

// TestRoundRobinUnderConcurrency: leads created at the same time by many writers still take
// distinct turns — each of three members gets exactly two of six — on both databases.
func TestRoundRobinUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	st, recs, as := open(t)
	create := func(entity string, in records.Input) string {
		t.Helper()
		r, err := recs.Create(as, entity, in)
		if err != nil {
			t.Fatal(err)
		}
		return r.ID()
	}
	team := create("team", records.Input{"name": "Inside sales"})
	var members []string
	for _, n := range []string{"a", "b", "c"} {
		u := create("user", records.Input{"full_name": n, "email": n + "@example.com"})
		if err := recs.Associate(as, "team", team, "members", u); err != nil {
			t.Fatal(err)
		}
		members = append(members, u)
	}
	sort.Strings(members)
	rule := create("assignment_rule", records.Input{"name": "All", "target_entity": "lead", "assign_type": "round_robin", "team_id": team})

	const n = 6
	owners := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := recs.Create(as, "lead", records.Input{"last_name": "Lead"})
			if err == nil {
				owners[i], _ = r.Get("owner_id").(string)
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	count := map[string]int{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("create %d: %v", i, errs[i])
		}
		count[owners[i]]++
	}
	for _, m := range members {
		if count[m] != 2 {
			t.Errorf("member %s got %d leads, want 2 (all: %v)", m, count[m], count)
		}
	}
	// Deleting the rule forgets its turns.
	if err := recs.Delete(as, "assignment_rule", rule, ""); err != nil {
		t.Fatal(err)
	}
	var left int
	if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM assignment_cursor`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d cursors left after the rule was deleted (%v)", left, err)
	}
}

// TestRulesChangedInTheSameTransaction: a rule written in the transaction that then creates a
// lead applies to it (the rules a transaction keeps are read again after a rule changes).
func TestRulesChangedInTheSameTransaction(t *testing.T) {
	st, recs, as := open(t)
	u, err := recs.Create(as, "user", records.Input{"full_name": "U", "email": "u@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	err = st.WithTx(as, func(ctx context.Context) error {
		if _, err := recs.Create(ctx, "lead", records.Input{"last_name": "Before"}); err != nil {
			return err
		}
		if _, err := recs.Create(ctx, "assignment_rule", records.Input{"name": "All", "target_entity": "lead", "assign_type": "user", "user_id": u.ID()}); err != nil {
			return err
		}
		l, err := recs.Create(ctx, "lead", records.Input{"last_name": "After"})
		if err != nil {
			return err
		}
		if l.Get("owner_id") != u.ID() {
			t.Errorf("the rule written in the transaction did not apply: owner %v", l.Get("owner_id"))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
