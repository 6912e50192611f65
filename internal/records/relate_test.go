package records_test

import (
	"slices"
	"testing"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/query"
)

func TestAssociateManyToMany(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	list := e.create("marketing_list", `{"name":"Newsletter"}`)
	other := e.create("marketing_list", `{"name":"Events"}`)
	c1 := e.create("contact", `{"last_name":"One"}`)
	c2 := e.create("contact", `{"last_name":"Two"}`)
	c3 := e.create("contact", `{"last_name":"Three"}`)
	for _, c := range []string{c1.ID(), c2.ID()} {
		if err := e.svc.Associate(e.ctx, "marketing_list", list.ID(), "member_contacts", c); err != nil {
			t.Fatal(err)
		}
	}
	// From the other side.
	if err := e.svc.Associate(e.ctx, "contact", c3.ID(), "marketing_lists", other.ID()); err != nil {
		t.Fatal(err)
	}
	// Linking twice is not an error and changes nothing.
	snap := e.snapshot("marketing_list_contact")
	if err := e.svc.Associate(e.ctx, "marketing_list", list.ID(), "member_contacts", c1.ID()); err != nil {
		t.Fatal(err)
	}
	e.unchanged(snap)
	if ops := e.changeOps("contact", c1.ID()); ops != "cl" {
		t.Errorf("contact change log %q, want cl", ops)
	}

	related := func(entity, id, nav string) []string {
		t.Helper()
		p, _, err := e.svc.Related(e.ctx, entity, id, nav, opts(t, "$orderby=full_name"), zeroRO)
		if err != nil {
			t.Fatalf("related %s %s: %v", entity, nav, err)
		}
		return names(p.Records, "full_name")
	}
	if got := related("marketing_list", list.ID(), "member_contacts"); !slices.Equal(got, []string{"One", "Two"}) {
		t.Fatalf("members %v", got)
	}
	p, _, err := e.svc.Related(e.ctx, "contact", c3.ID(), "marketing_lists", &query.Options{}, zeroRO)
	if err != nil || !slices.Equal(names(p.Records, "name"), []string{"Events"}) {
		t.Fatalf("lists of c3: %v (%v)", names(p.Records, "name"), err)
	}

	if err := e.svc.Disassociate(e.ctx, "marketing_list", list.ID(), "member_contacts", c1.ID()); err != nil {
		t.Fatal(err)
	}
	if got := related("marketing_list", list.ID(), "member_contacts"); !slices.Equal(got, []string{"Two"}) {
		t.Fatalf("members after disassociate %v", got)
	}
	// Not linked (any more).
	snap = e.snapshot("marketing_list_contact")
	for _, c := range []string{c1.ID(), c3.ID()} {
		wantFault(t, e.svc.Disassociate(e.ctx, "marketing_list", list.ID(), "member_contacts", c), fault.NotFound, "not_linked", "")
	}
	e.unchanged(snap)
	// Missing records and unknown navigations.
	wantFault(t, e.svc.Associate(e.ctx, "marketing_list", list.ID(), "member_contacts", newID()), fault.NotFound, "not_found", "")
	wantFault(t, e.svc.Associate(e.ctx, "marketing_list", newID(), "member_contacts", c1.ID()), fault.NotFound, "not_found", "")
	wantFault(t, e.svc.Associate(e.ctx, "marketing_list", list.ID(), "members", c1.ID()), fault.Invalid, "invalid_navigation", "")
	wantFault(t, e.svc.Associate(e.ctx, "contact", c1.ID(), "account", newID()), fault.Invalid, "invalid_navigation", "")
	e.unchanged(snap)
}

func TestAssociateOneToMany(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acc := e.create("account", `{"name":"Acme"}`)
	other := e.create("account", `{"name":"Other"}`)
	c1 := e.create("contact", `{"last_name":"One"}`)
	c2 := e.create("contact", `{"last_name":"Two","account_id":"`+other.ID()+`"}`)
	for _, c := range []string{c1.ID(), c2.ID()} {
		if err := e.svc.Associate(e.ctx, "account", acc.ID(), "contacts", c); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []string{c1.ID(), c2.ID()} {
		if got := str(e.get("contact", c), "account_id"); got != acc.ID() {
			t.Errorf("contact %s account_id %q, want %s", c, got, acc.ID())
		}
	}
	if ops := e.changeOps("contact", c1.ID()); ops != "cu" {
		t.Errorf("change log %q, want cu", ops)
	}
	p, nav, err := e.svc.Related(e.ctx, "account", acc.ID(), "contacts", opts(t, "$orderby=last_name desc"), zeroRO)
	if err != nil || nav.To.Name != "contact" || !slices.Equal(names(p.Records, "last_name"), []string{"Two", "One"}) {
		t.Fatalf("related contacts %v (%v)", names(p.Records, "last_name"), err)
	}
	if p, _, _ := e.svc.Related(e.ctx, "account", other.ID(), "contacts", &query.Options{}, zeroRO); len(p.Records) != 0 {
		t.Fatalf("the other account still has %d contacts", len(p.Records))
	}
	// Many-to-one navigation reads the one record.
	p, _, err = e.svc.Related(e.ctx, "contact", c1.ID(), "account", &query.Options{}, zeroRO)
	if err != nil || len(p.Records) != 1 || p.Records[0].ID() != acc.ID() {
		t.Fatalf("contact's account: %v (%v)", ids(p.Records), err)
	}

	if err := e.svc.Disassociate(e.ctx, "account", acc.ID(), "contacts", c1.ID()); err != nil {
		t.Fatal(err)
	}
	if v := e.get("contact", c1.ID()).Get("account_id"); v != nil {
		t.Fatalf("account_id %v after disassociate", v)
	}
	wantFault(t, e.svc.Disassociate(e.ctx, "account", acc.ID(), "contacts", c1.ID()), fault.NotFound, "not_linked", "")
	wantFault(t, e.svc.Disassociate(e.ctx, "account", other.ID(), "contacts", c2.ID()), fault.NotFound, "not_linked", "")
	_, _, err = e.svc.Related(e.ctx, "account", acc.ID(), "nope", &query.Options{}, zeroRO)
	wantFault(t, err, fault.NotFound, "unknown_navigation", "")
	_, _, err = e.svc.Related(e.ctx, "account", newID(), "contacts", &query.Options{}, zeroRO)
	wantFault(t, err, fault.NotFound, "not_found", "")
}
