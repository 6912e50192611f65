package records_test

import (
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/records"
)

// TestCreateManyChecksLookupsPerRow: the bulk path checks every lookup of every row (with one
// query per target rather than per value) and fails exactly the rows whose targets are missing,
// in another tenant or of an unknown type, keeping the others.
func TestCreateManyChecksLookupsPerRow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acc := e.create("account", `{"name":"Here"}`)
	other := e.create("account", `{"name":"Also here"}`)
	ctxB, _ := e.newTenant("beta")
	theirs := e.createIn(ctxB, "account", `{"name":"Theirs"}`)
	rows := []records.Input{
		body(t, `{"last_name":"ok","account_id":"`+acc.ID()+`"}`),
		body(t, `{"last_name":"missing","account_id":"`+newID()+`"}`),
		body(t, `{"last_name":"upper case id","account_id":"`+strings.ToUpper(other.ID())+`"}`),
		body(t, `{"last_name":"other tenant","account_id":"`+theirs.ID()+`"}`),
		body(t, `{"last_name":"no lookup"}`),
		body(t, `{"last_name":"same target again","account_id":"`+acc.ID()+`"}`),
		body(t, `{"first_name":"no last name"}`),
	}
	before := e.count("contact")
	ids, bad, err := e.svc.CreateMany(e.ctx, "contact", rows)
	if err != nil {
		t.Fatal(err)
	}
	wantBad := map[int]string{1: "account_id", 3: "account_id", 6: "last_name"}
	for i := range rows {
		target, fails := wantBad[i]
		if !fails {
			if bad[i] != nil || ids[i] == "" {
				t.Errorf("row %d failed: %v", i, bad[i])
			}
			continue
		}
		if ids[i] != "" {
			t.Errorf("row %d was created", i)
		}
		code := "lookup_not_found"
		if target == "last_name" {
			code = "required"
		}
		wantFault(t, bad[i], fault.Invalid, code, target)
	}
	if got := e.count("contact") - before; got != 4 {
		t.Errorf("%d contacts created, want 4", got)
	}
	if got := e.get("contact", ids[2]).Get("account_id"); got != other.ID() {
		t.Errorf("upper-case lookup stored as %v, want %s", got, other.ID())
	}

	// A polymorphic lookup: the type decides the table.
	_, bad, err = e.svc.CreateMany(e.ctx, "task", []records.Input{
		body(t, `{"subject":"on an account","regarding_id":"`+acc.ID()+`","regarding_type":"account"}`),
		body(t, `{"subject":"wrong type","regarding_id":"`+acc.ID()+`","regarding_type":"contact"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if bad[0] != nil {
		t.Errorf("task regarding an account failed: %v", bad[0])
	}
	wantFault(t, bad[1], fault.Invalid, "lookup_not_found", "regarding_id")
}
