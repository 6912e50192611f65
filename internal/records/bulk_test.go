package records_test

import (
	"github.com/meridian-crm/meridian/internal/principal"
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

// TestCreateManyLogsEveryCreate: a bulk create writes one change-log row per created record (and
// none for a refused row), with the record's version, its creation time and its author, in its
// own tenant only.
func TestCreateManyLogsEveryCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.create("account", `{"name":"Before"}`)
	ctxB, tenantB := e.newTenant("beta")
	if _, _, err := e.svc.CreateMany(ctxB, "account", []records.Input{body(t, `{"name":"Theirs"}`)}); err != nil {
		t.Fatal(err)
	}
	before := e.changeLogLen()
	ids, bad, err := e.svc.CreateMany(e.ctx, "account", []records.Input{
		body(t, `{"name":"One"}`),
		body(t, `{"name":"Two","employees":"many"}`),
		body(t, `{"name":"Three"}`),
		body(t, `{"name":"Four"}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	wantFault(t, bad[1], fault.Invalid, "invalid_type", "employees")
	if got := e.changeLogLen() - before; got != 3 {
		t.Fatalf("%d change-log rows for 3 created records", got)
	}
	p, _ := principal.From(e.ctx)
	ph := e.st.D.Placeholder
	for i, id := range ids {
		if i == 1 {
			continue
		}
		if ops := e.changeOps("account", id); ops != "c" {
			t.Errorf("record %d: change log %q, want one create", i, ops)
		}
		rec := e.get("account", id)
		var n int
		err := e.st.DB(e.ctx).QueryRowContext(e.ctx, `SELECT COUNT(*) FROM change_log c JOIN account a ON a.tenant_id = c.tenant_id AND a.id = c.record_id`+
			` WHERE c.tenant_id = `+ph(1)+` AND c.record_id = `+ph(2)+` AND c.entity = 'account' AND c.version = `+ph(3)+
			` AND c.changed_at = a.created_at AND c.changed_by = `+ph(4),
			e.tenant, id, rec.Version(), p.UserID).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("record %d: no change-log row with its version %d, creation time and author", i, rec.Version())
		}
	}
	var theirs int
	if err := e.st.DB(e.ctx).QueryRowContext(e.ctx, `SELECT COUNT(*) FROM change_log WHERE tenant_id = `+ph(1), tenantB).Scan(&theirs); err != nil {
		t.Fatal(err)
	}
	if theirs != 1 {
		t.Errorf("the other tenant has %d change-log rows, want 1", theirs)
	}
}
