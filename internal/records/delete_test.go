package records_test

import (
	"testing"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/query"
)

func TestDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acc := e.create("account", `{"name":"Doomed"}`)
	keep := e.create("account", `{"name":"Kept"}`)
	if err := e.svc.Delete(e.ctx, "account", acc.ID(), ""); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Get(e.ctx, "account", acc.ID(), &query.Options{})
	wantFault(t, err, fault.NotFound, "not_found", "")
	_, err = e.svc.Update(e.ctx, "account", acc.ID(), body(t, `{"name":"x"}`), "")
	wantFault(t, err, fault.NotFound, "not_found", "")
	wantFault(t, e.svc.Delete(e.ctx, "account", acc.ID(), ""), fault.NotFound, "not_found", "")
	wantFault(t, e.svc.Delete(e.ctx, "account", "not-an-id", ""), fault.NotFound, "not_found", "")
	if ops := e.changeOps("account", acc.ID()); ops != "cd" {
		t.Errorf("change log %q, want cd", ops)
	}
	if e.count("account") != 1 || e.get("account", keep.ID()).ID() != keep.ID() {
		t.Error("the other account is gone")
	}
}

func TestDeleteClearsLookups(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acc := e.create("account", `{"name":"Parent"}`)
	other := e.create("account", `{"name":"Other"}`)
	c1 := e.create("contact", `{"last_name":"One","account_id":"`+acc.ID()+`"}`)
	c2 := e.create("contact", `{"last_name":"Two","account_id":"`+acc.ID()+`"}`)
	c3 := e.create("contact", `{"last_name":"Three","account_id":"`+other.ID()+`"}`)
	child := e.create("account", `{"name":"Child","parent_account_id":"`+acc.ID()+`"}`)
	if _, err := e.svc.Update(e.ctx, "account", acc.ID(), body(t, `{"primary_contact_id":"`+c1.ID()+`"}`), ""); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(e.ctx, "account", acc.ID(), ""); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		entity string
		before interface{ Version() int64 }
		id     string
		col    string
	}{{"contact", c1, c1.ID(), "account_id"}, {"contact", c2, c2.ID(), "account_id"}, {"account", child, child.ID(), "parent_account_id"}} {
		got := e.get(c.entity, c.id)
		if got.Get(c.col) != nil {
			t.Errorf("%s %s still refers to the deleted account", c.entity, c.id)
		}
		if got.Version() <= c.before.Version() {
			t.Errorf("%s %s version %d not bumped (was %d)", c.entity, c.id, got.Version(), c.before.Version())
		}
		if ops := e.changeOps(c.entity, c.id); ops != "cu" {
			t.Errorf("%s %s change log %q, want cu", c.entity, c.id, ops)
		}
	}
	if got := str(e.get("contact", c3.ID()), "account_id"); got != other.ID() {
		t.Errorf("contact of another account changed: account_id %q", got)
	}
	if ops := e.changeOps("contact", c3.ID()); ops != "c" {
		t.Errorf("untouched contact change log %q", ops)
	}
	// Deleting a contact clears the account's primary contact.
	if _, err := e.svc.Update(e.ctx, "account", other.ID(), body(t, `{"primary_contact_id":"`+c3.ID()+`"}`), ""); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(e.ctx, "contact", c3.ID(), ""); err != nil {
		t.Fatal(err)
	}
	if v := e.get("account", other.ID()).Get("primary_contact_id"); v != nil {
		t.Errorf("primary_contact_id = %v after its contact was deleted", v)
	}
}

func TestDeleteCascades(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	opp := e.create("opportunity", `{"name":"Deal"}`)
	keep := e.create("opportunity", `{"name":"Other deal"}`)
	var lines []string
	for _, d := range []string{"a", "b", "c"} {
		lines = append(lines, e.create("opportunity_line", `{"opportunity_id":"`+opp.ID()+`","description":"`+d+`","quantity":2.5}`).ID())
	}
	kept := e.create("opportunity_line", `{"opportunity_id":"`+keep.ID()+`","description":"kept"}`)
	if err := e.svc.Delete(e.ctx, "opportunity", opp.ID(), ""); err != nil {
		t.Fatal(err)
	}
	for _, id := range lines {
		if _, err := e.svc.Get(e.ctx, "opportunity_line", id, &query.Options{}); !fault.Is(err, fault.NotFound) {
			t.Errorf("line %s survived its opportunity: %v", id, err)
		}
		if ops := e.changeOps("opportunity_line", id); ops != "cd" {
			t.Errorf("line %s change log %q, want cd", id, ops)
		}
	}
	if e.count("opportunity_line") != 1 || e.get("opportunity_line", kept.ID()) == nil {
		t.Error("a line of another opportunity was deleted")
	}
}

func TestDeleteRemovesActivitiesAndLinks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acc := e.create("account", `{"name":"Acme"}`)
	other := e.create("account", `{"name":"Other"}`)
	task := e.create("task", `{"subject":"Call","regarding_id":"`+acc.ID()+`","regarding_type":"account"}`)
	call := e.create("phone_call", `{"subject":"Called","regarding_id":"`+acc.ID()+`","regarding_type":"account"}`)
	otherTask := e.create("task", `{"subject":"Other","regarding_id":"`+other.ID()+`","regarding_type":"account"}`)
	free := e.create("task", `{"subject":"Free"}`)
	if got := e.list("activity", "$filter=regarding_id eq "+acc.ID(), zeroRO); len(got.Records) != 2 {
		t.Fatalf("activity view shows %d activities of the account, want 2", len(got.Records))
	}
	if err := e.svc.Delete(e.ctx, "account", acc.ID(), ""); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ entity, id string }{{"task", task.ID()}, {"phone_call", call.ID()}} {
		if _, err := e.svc.Get(e.ctx, r.entity, r.id, &query.Options{}); !fault.Is(err, fault.NotFound) {
			t.Errorf("%s regarding the deleted account survived: %v", r.entity, err)
		}
		if ops := e.changeOps(r.entity, r.id); ops != "cd" {
			t.Errorf("%s change log %q, want cd", r.entity, ops)
		}
	}
	for _, id := range []string{otherTask.ID(), free.ID()} {
		e.get("task", id)
	}

	// N:N links go with either end.
	list := e.create("marketing_list", `{"name":"Newsletter"}`)
	c1 := e.create("contact", `{"last_name":"One"}`)
	c2 := e.create("contact", `{"last_name":"Two"}`)
	for _, c := range []string{c1.ID(), c2.ID()} {
		if err := e.svc.Associate(e.ctx, "marketing_list", list.ID(), "member_contacts", c); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.svc.Delete(e.ctx, "contact", c1.ID(), ""); err != nil {
		t.Fatal(err)
	}
	if got := e.count("marketing_list_contact"); got != 1 {
		t.Fatalf("%d links after deleting a member, want 1", got)
	}
	if err := e.svc.Delete(e.ctx, "marketing_list", list.ID(), ""); err != nil {
		t.Fatal(err)
	}
	if got := e.count("marketing_list_contact"); got != 0 {
		t.Fatalf("%d links after deleting the list, want 0", got)
	}
	e.get("contact", c2.ID())
}

// TestDeleteRestrict uses a custom entity with a required lookup to account: required lookups
// default to on_delete restrict.
func TestDeleteRestrict(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if _, err := e.schema.CreateEntity(e.ctx, &metadata.Entity{Name: "contract", Attributes: []*metadata.Attribute{
		{Name: "name", Type: metadata.TypeString, Required: true},
		{Name: "account_id", Type: metadata.TypeLookup, Target: "account", Required: true},
	}}); err != nil {
		t.Fatal(err)
	}
	if got := e.model().Entity("contract").Attr("account_id").DeleteBehaviour(); got != metadata.OnDeleteRestrict {
		t.Fatalf("on_delete %s, want restrict", got)
	}
	acc := e.create("account", `{"name":"Bound"}`)
	// A contact that would be unlinked first: the refusal must undo that too.
	c := e.create("contact", `{"last_name":"Linked","account_id":"`+acc.ID()+`"}`)
	task := e.create("task", `{"subject":"Call","regarding_id":"`+acc.ID()+`","regarding_type":"account"}`)
	ct := e.create("contract", `{"name":"MSA","account_id":"`+acc.ID()+`"}`)

	snap := e.snapshot("account", "contact", "contract", "task")
	wantFault(t, e.svc.Delete(e.ctx, "account", acc.ID(), ""), fault.Conflict, "in_use", "")
	e.unchanged(snap)
	if got := e.get("contact", c.ID()); str(got, "account_id") != acc.ID() || got.Version() != c.Version() {
		t.Errorf("the refused delete left the contact changed: %v", got.Map())
	}
	e.get("task", task.ID())

	// Once the contract is gone, the account can be deleted.
	if err := e.svc.Delete(e.ctx, "contract", ct.ID(), ""); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(e.ctx, "account", acc.ID(), ""); err != nil {
		t.Fatal(err)
	}
	// A required lookup cannot be cleared by an update either.
	acc2 := e.create("account", `{"name":"Second"}`)
	ct2 := e.create("contract", `{"name":"SOW","account_id":"`+acc2.ID()+`"}`)
	_, err := e.svc.Update(e.ctx, "contract", ct2.ID(), body(t, `{"account_id":null}`), "")
	wantFault(t, err, fault.Invalid, "required", "account_id")
}
