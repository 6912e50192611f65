package records_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

func TestUpdate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acc := e.create("account", `{"name":"Contoso","city":"Shanghai","employees":10,"revenue":5}`)
	e.clock.Advance(time.Hour)
	up, err := e.svc.Update(e.ctx, "account", acc.ID(), body(t, `{"employees":11,"country":"CN"}`), "")
	if err != nil {
		t.Fatal(err)
	}
	got := e.get("account", acc.ID())
	// Partial: the attributes not in the body keep their values.
	for k, want := range map[string]any{"name": "Contoso", "city": "Shanghai", "employees": int64(11), "country": "CN", "revenue_currency": "USD"} {
		if got.Get(k) != want || up.Get(k) != want {
			t.Errorf("%s = %v (returned %v), want %v", k, got.Get(k), up.Get(k), want)
		}
	}
	if got.Version() <= acc.Version() || got.Version() != up.Version() || got.Version() != e.version() {
		t.Errorf("version %d (returned %d, tenant %d) after %d", got.Version(), up.Version(), e.version(), acc.Version())
	}
	if ca, ma := got.Get("created_at").(time.Time), got.Get("modified_at").(time.Time); !ca.Equal(epoch) || !ma.Equal(epoch.Add(time.Hour)) {
		t.Errorf("created_at %v, modified_at %v; want %v and an hour later", ca, ma, epoch)
	}
	if ops := e.changeOps("account", acc.ID()); ops != "cu" {
		t.Errorf("change log %q, want cu", ops)
	}
	// Clearing an optional attribute stores null.
	if _, err := e.svc.Update(e.ctx, "account", acc.ID(), body(t, `{"city":null}`), ""); err != nil {
		t.Fatal(err)
	}
	if v := e.get("account", acc.ID()).Get("city"); v != nil {
		t.Errorf("city = %v after clearing", v)
	}
	// Setting a value to itself is still a write with a new version.
	before := e.version()
	if _, err := e.svc.Update(e.ctx, "account", acc.ID(), body(t, `{"name":"Contoso"}`), ""); err != nil {
		t.Fatal(err)
	}
	if e.version() != before+1 {
		t.Errorf("tenant version %d, want %d", e.version(), before+1)
	}
}

func TestUpdateETag(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acc := e.create("account", `{"name":"Contoso"}`)
	stale := records.ETag(acc.Version())
	if _, err := e.svc.Update(e.ctx, "account", acc.ID(), body(t, `{"city":"Beijing"}`), stale); err != nil {
		t.Fatalf("update with the current ETag: %v", err)
	}
	for _, tc := range []struct {
		name    string
		ifMatch func(current int64) string
		ok      bool
	}{
		{"stale", func(int64) string { return stale }, false},
		{"unknown", func(int64) string { return `W/"999"` }, false},
		{"strong form of the current version", func(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }, false},
		{"current", records.ETag, true},
		{"current among several", func(v int64) string { return stale + ", " + records.ETag(v) }, true},
		{"any", func(int64) string { return "*" }, true},
		{"none", func(int64) string { return "" }, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ifMatch := tc.ifMatch(e.get("account", acc.ID()).Version())
			snap := e.snapshot("account")
			_, err := e.svc.Update(e.ctx, "account", acc.ID(), body(t, `{"city":"Hangzhou"}`), ifMatch)
			if tc.ok {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantFault(t, err, fault.PreconditionFailed, "etag_mismatch", "")
			e.unchanged(snap)
		})
	}
	// Delete checks the ETag too.
	cur := e.get("account", acc.ID())
	wantFault(t, e.svc.Delete(e.ctx, "account", acc.ID(), stale), fault.PreconditionFailed, "etag_mismatch", "")
	if err := e.svc.Delete(e.ctx, "account", acc.ID(), records.ETag(cur.Version())); err != nil {
		t.Fatal(err)
	}
}

func TestUpsert(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key := map[string]string{"account_number": "K-1"}
	// If-Match refuses to create.
	snap := e.snapshot("account")
	_, _, err := e.svc.Upsert(e.ctx, "account", key, body(t, `{"name":"Keyed"}`), "*", "")
	wantFault(t, err, fault.NotFound, "not_found", "")
	e.unchanged(snap)

	rec, created, err := e.svc.Upsert(e.ctx, "account", key, body(t, `{"name":"Keyed","city":"Xi'an"}`), "", "")
	if err != nil || !created {
		t.Fatalf("first upsert: created=%v, %v", created, err)
	}
	if str(rec, "account_number") != "K-1" || str(e.get("account", rec.ID()), "account_number") != "K-1" {
		t.Fatalf("the key was not stored: %v", rec.Map())
	}
	up, created, err := e.svc.Upsert(e.ctx, "account", key, body(t, `{"employees":7}`), "", "")
	if err != nil || created {
		t.Fatalf("second upsert: created=%v, %v", created, err)
	}
	got := e.get("account", rec.ID())
	if up.ID() != rec.ID() || got.Get("employees") != int64(7) || str(got, "city") != "Xi'an" || e.count("account") != 1 {
		t.Fatalf("second upsert did not update in place: %v", got.Map())
	}
	// If-None-Match: * refuses to update.
	snap = e.snapshot("account")
	_, _, err = e.svc.Upsert(e.ctx, "account", key, body(t, `{"employees":8}`), "", "*")
	wantFault(t, err, fault.PreconditionFailed, "already_exists", "")
	e.unchanged(snap)
	// If-Match is checked against the found record.
	_, _, err = e.svc.Upsert(e.ctx, "account", key, body(t, `{"employees":8}`), records.ETag(rec.Version()), "")
	wantFault(t, err, fault.PreconditionFailed, "etag_mismatch", "")
	if _, _, err := e.svc.Upsert(e.ctx, "account", key, body(t, `{"employees":8}`), records.ETag(got.Version()), ""); err != nil {
		t.Fatal(err)
	}
	// If-None-Match: * still creates when there is no record.
	if _, created, err := e.svc.Upsert(e.ctx, "account", map[string]string{"account_number": "K-2"}, body(t, `{"name":"Two"}`), "", "*"); err != nil || !created {
		t.Fatalf("create with If-None-Match: created=%v, %v", created, err)
	}
	// The body may repeat the key but not contradict it.
	_, _, err = e.svc.Upsert(e.ctx, "account", map[string]string{"account_number": "K-3"}, body(t, `{"name":"x","account_number":"K-4"}`), "", "")
	wantFault(t, err, fault.Invalid, "key_mismatch", "account_number")
	if _, _, err := e.svc.Upsert(e.ctx, "account", map[string]string{"account_number": "K-3"}, body(t, `{"name":"x","account_number":"K-3"}`), "", ""); err != nil {
		t.Fatal(err)
	}
	// Not a key.
	_, _, err = e.svc.Upsert(e.ctx, "account", map[string]string{"name": "x"}, body(t, `{}`), "", "")
	wantFault(t, err, fault.Invalid, "invalid_key", "")
	_, _, err = e.svc.Upsert(e.ctx, "contact", map[string]string{"email": "x@example.com"}, body(t, `{}`), "", "")
	wantFault(t, err, fault.Invalid, "invalid_key", "")
	// Keys are per tenant: the same key creates a separate record in another tenant.
	ctxB, _ := e.newTenant("other")
	if other, created, err := e.svc.Upsert(ctxB, "account", key, body(t, `{"name":"Theirs"}`), "", ""); err != nil || !created || other.ID() == rec.ID() {
		t.Fatalf("upsert in another tenant: created=%v, %v", created, err)
	}
	if str(e.get("account", rec.ID()), "name") != "Keyed" {
		t.Fatal("upsert in another tenant changed this tenant's record")
	}
}

func TestUpsertAutonumberKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.create("case", `{"title":"Broken"}`)
	up, created, err := e.svc.Upsert(e.ctx, "case", map[string]string{"case_number": "CAS-000001"}, body(t, `{"status":"resolved"}`), "", "")
	if err != nil || created || up.ID() != c.ID() || str(e.get("case", c.ID()), "status") != "resolved" {
		t.Fatalf("upsert by case number: created=%v, %v", created, err)
	}
	// Autonumbers are the server's: an upsert cannot create a record with a chosen one.
	_, _, err = e.svc.Upsert(e.ctx, "case", map[string]string{"case_number": "CAS-000999"}, body(t, `{"title":"New"}`), "", "")
	wantFault(t, err, fault.Invalid, "read_only_field", "case_number")
}

// TestIDsInAnyCase checks that ids are found whatever the case of their hex digits, on both
// dialects (SQLite compares them as text).
func TestIDsInAnyCase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acc := e.create("account", `{"name":"A"}`)
	con := e.create("contact", `{"last_name":"C"}`)
	list := e.create("marketing_list", `{"name":"L"}`)
	upper := strings.ToUpper
	if _, err := e.svc.Get(e.ctx, "account", upper(acc.ID()), &query.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Update(e.ctx, "account", upper(acc.ID()), body(t, `{"city":"X"}`), ""); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Associate(e.ctx, "account", upper(acc.ID()), "contacts", upper(con.ID())); err != nil {
		t.Fatal(err)
	}
	if got := str(e.get("contact", con.ID()), "account_id"); got != acc.ID() {
		t.Fatalf("lookup stored as %q, want %q", got, acc.ID())
	}
	if err := e.svc.Associate(e.ctx, "marketing_list", upper(list.ID()), "member_contacts", upper(con.ID())); err != nil {
		t.Fatal(err)
	}
	p, _, err := e.svc.Related(e.ctx, "marketing_list", list.ID(), "member_contacts", &query.Options{}, zeroRO)
	if err != nil || len(p.Records) != 1 {
		t.Fatalf("members after linking by upper-case ids: %v (%v)", ids(p.Records), err)
	}
	if err := e.svc.Disassociate(e.ctx, "account", upper(acc.ID()), "contacts", upper(con.ID())); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(e.ctx, "account", upper(acc.ID()), ""); err != nil {
		t.Fatal(err)
	}
}
