package records_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
)

// TestPipelineStages: hooks join the writes of their entity (or of all) at their stage, in the
// order registered — Derive per record before validation, React per write inside the
// transaction after the rows, AfterCommit per write once committed and never after a rollback —
// for single and bulk writes alike; a failing Derive fails its record only, a failing React the
// whole write.
func TestPipelineStages(t *testing.T) {
	e := newEnv(t)
	var log []string
	say := func(format string, args ...any) { log = append(log, fmt.Sprintf(format, args...)) }
	e.svc.Register(records.Hook{Name: "test.every", Entity: records.AllEntities,
		Derive: func(_ context.Context, d records.Draft) error {
			say("derive * %s", d.Entity.Name)
			return nil
		},
		React: func(ctx context.Context, cs []records.Change) error {
			say("react * %s %d", cs[0].Entity.Name, len(cs))
			return nil
		}})
	e.svc.Register(records.Hook{Name: "test.account", Entity: "account",
		Derive: func(_ context.Context, d records.Draft) error {
			name, _ := d.Values["name"].(string)
			if name == "refused" {
				return fault.Field("name", "refused", "refused by a hook")
			}
			if d.Current == nil {
				d.Values["description"] = "derived from " + name // validated with the rest
			}
			say("derive account")
			return nil
		},
		React: func(ctx context.Context, cs []records.Change) error {
			if !store.InTx(ctx) {
				return errors.New("react outside the transaction")
			}
			var n int
			if err := e.st.QueryRow(ctx, `SELECT COUNT(*) FROM "account" WHERE "tenant_id" = `+e.st.D.Placeholder(1)+` AND "id" = `+e.st.D.Placeholder(2),
				e.tenant, cs[len(cs)-1].ID).Scan(&n); err != nil {
				return err
			}
			say("react account %d (row seen %v)", len(cs), n == 1)
			if cs[0].After != nil && cs[0].After["name"] == "rolled back" {
				return errors.New("react refused")
			}
			return nil
		},
		AfterCommit: func(ctx context.Context, cs []records.Change) {
			say("after commit %d (in a transaction %v)", len(cs), store.InTx(ctx))
		}})

	rec := e.create("account", `{"name":"One"}`)
	if got := rec.Get("description"); got != "derived from One" {
		t.Errorf("derived description %v", got)
	}
	want := []string{"derive * account", "derive account", "react * account 1", "react account 1 (row seen true)", "after commit 1 (in a transaction false)"}
	if strings.Join(log, "; ") != strings.Join(want, "; ") {
		t.Fatalf("single create:\n got %q\nwant %q", log, want)
	}

	// A bulk create: Derive per row, the refused row reported; React and AfterCommit once.
	log = nil
	ids, bad, err := e.svc.CreateMany(e.ctx, "account", []records.Input{body(t, `{"name":"A"}`), body(t, `{"name":"refused"}`), body(t, `{"name":"B"}`)})
	if err != nil || len(ids) != 3 || ids[1] != "" || bad[1] == nil {
		t.Fatalf("bulk create: %v %v %v", ids, bad, err)
	}
	if got := strings.Join(log, "; "); !strings.HasSuffix(got, "react * account 2; react account 2 (row seen true); after commit 2 (in a transaction false)") ||
		strings.Count(got, "derive * account") != 3 || strings.Count(got, "derive account") != 2 {
		t.Fatalf("bulk create: %q", log)
	}

	// A React error fails the write: nothing stored, no AfterCommit.
	log = nil
	if _, err := e.svc.Create(e.ctx, "account", body(t, `{"name":"rolled back"}`)); err == nil || !strings.Contains(err.Error(), "react refused") {
		t.Fatalf("create refused by a reaction: %v", err)
	}
	if got := strings.Join(log, "; "); strings.Contains(got, "after commit") {
		t.Fatalf("a rolled back write ran its after-commit hooks: %q", log)
	}
	var n int
	if err := e.st.QueryRow(e.ctx, `SELECT COUNT(*) FROM "account" WHERE "name" = 'rolled back'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rolled back accounts stored (%v)", n, err)
	}

	// Another entity sees the hook of every entity only.
	log = nil
	e.create("contact", `{"last_name":"Lee"}`)
	if got := strings.Join(log, "; "); got != "derive * contact; react * contact 1" {
		t.Fatalf("contact create: %q", log)
	}
	if hooks := e.svc.Hooks(); len(hooks) < 2 || hooks[len(hooks)-1].Name != "test.account" {
		t.Fatalf("registered hooks: %d", len(hooks))
	}
}

// TestCoreNamesNoEntity: the records core knows no entity by name — no source file of the
// package (tests aside) quotes the name of a system entity, as a Go string or an SQL
// identifier; the behaviour of particular entities is registered by their packages (Hook).
func TestCoreNamesNoEntity(t *testing.T) {
	sys, err := metadata.System()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, e := range sys.Entities {
		names[e.Name] = true
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	quoted := regexp.MustCompile(`"([a-z_]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			code, _, _ := strings.Cut(line, "//")
			for _, m := range quoted.FindAllStringSubmatch(code, -1) {
				if names[m[1]] {
					t.Errorf("%s:%d names the entity %q: %s", f, i+1, m[1], strings.TrimSpace(line))
				}
			}
		}
	}
	if len(names) < 20 {
		t.Fatalf("%d system entities", len(names))
	}
}
