package records_test

import (
	"context"
	"testing"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acc := e.create("account", `{"name":"Mine","account_number":"M-1"}`)
	con := e.create("contact", `{"last_name":"Mine","account_id":"`+acc.ID()+`"}`)
	list := e.create("marketing_list", `{"name":"Mine"}`)
	if err := e.svc.Associate(e.ctx, "marketing_list", list.ID(), "member_contacts", con.ID()); err != nil {
		t.Fatal(err)
	}
	ctxB, _ := e.newTenant("beta")
	theirs := e.createIn(ctxB, "account", `{"name":"Theirs"}`)
	theirContact := e.createIn(ctxB, "contact", `{"last_name":"Theirs"}`)
	snap := e.snapshot("account", "contact", "marketing_list", "marketing_list_contact")

	// Reads.
	for _, r := range []struct{ entity, id string }{{"account", acc.ID()}, {"contact", con.ID()}, {"marketing_list", list.ID()}} {
		_, err := e.svc.Get(ctxB, r.entity, r.id, &query.Options{})
		wantFault(t, err, fault.NotFound, "not_found", "")
		_, _, err = e.svc.Related(ctxB, r.entity, r.id, map[string]string{"account": "contacts", "contact": "account", "marketing_list": "member_contacts"}[r.entity], &query.Options{}, zeroRO)
		wantFault(t, err, fault.NotFound, "not_found", "")
	}
	for _, entity := range []string{"account", "contact", "marketing_list"} {
		p, err := e.svc.List(ctxB, entity, opts(t, "$filter=name eq 'Mine' or name eq 'Theirs'&$count=true"), zeroRO)
		if entity == "contact" {
			p, err = e.svc.List(ctxB, entity, opts(t, "$count=true&$expand=account,marketing_lists"), zeroRO)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Records {
			if str(r, "name") == "Mine" || str(r, "last_name") == "Mine" {
				t.Errorf("tenant B lists A's %s", entity)
			}
			for nav, v := range r.Expanded {
				if one, ok := v.(*records.Record); ok && one != nil {
					t.Errorf("tenant B expands %s to %v", nav, one.Map())
				}
				if many, ok := v.([]*records.Record); ok && len(many) > 0 {
					t.Errorf("tenant B expands %s to %d records", nav, len(many))
				}
			}
		}
		want := map[string]int64{"account": 1, "contact": 1, "marketing_list": 0}[entity]
		if p.Count == nil || *p.Count != want {
			t.Errorf("tenant B counts %v %s, want %d", p.Count, entity, want)
		}
	}
	agg, err := e.svc.List(ctxB, "account", opts(t, "$apply=aggregate($count as n)"), zeroRO)
	if err != nil || agg.Records[0].Get("n") != int64(1) {
		t.Errorf("tenant B aggregates over %v accounts (%v)", agg.Records[0].Get("n"), err)
	}

	// Writes.
	_, err = e.svc.Update(ctxB, "account", acc.ID(), body(t, `{"name":"Hacked"}`), "")
	wantFault(t, err, fault.NotFound, "not_found", "")
	wantFault(t, e.svc.Delete(ctxB, "account", acc.ID(), ""), fault.NotFound, "not_found", "")
	wantFault(t, e.svc.Associate(ctxB, "marketing_list", list.ID(), "member_contacts", theirContact.ID()), fault.NotFound, "not_found", "")
	wantFault(t, e.svc.Associate(ctxB, "account", theirs.ID(), "contacts", con.ID()), fault.NotFound, "not_found", "")
	wantFault(t, e.svc.Disassociate(ctxB, "marketing_list", list.ID(), "member_contacts", con.ID()), fault.NotFound, "not_found", "")
	_, created, err := e.svc.Upsert(ctxB, "account", map[string]string{"account_number": "M-1"}, body(t, `{"name":"Same key"}`), "", "")
	if err != nil || !created {
		t.Errorf("upsert by A's key in B: created=%v, %v", created, err)
	}
	// Lookups across tenants.
	_, err = e.svc.Create(ctxB, "contact", body(t, `{"last_name":"x","account_id":"`+acc.ID()+`"}`))
	wantFault(t, err, fault.Invalid, "lookup_not_found", "account_id")
	_, err = e.svc.Update(ctxB, "contact", theirContact.ID(), body(t, `{"account_id":"`+acc.ID()+`"}`), "")
	wantFault(t, err, fault.Invalid, "lookup_not_found", "account_id")
	_, err = e.svc.Create(ctxB, "task", body(t, `{"subject":"x","regarding_id":"`+acc.ID()+`","regarding_type":"account"}`))
	wantFault(t, err, fault.Invalid, "lookup_not_found", "regarding_id")
	_, err = e.svc.Create(ctxB, "contact", body(t, `{"last_name":"x","account@odata.bind":"accounts(`+acc.ID()+`)"}`))
	wantFault(t, err, fault.Invalid, "lookup_not_found", "account_id")

	// Tenant A saw none of it.
	e.unchanged(snap)
	if got := e.get("account", acc.ID()); str(got, "name") != "Mine" || got.Version() != acc.Version() {
		t.Errorf("A's account changed: %v", got.Map())
	}
	// Deleting in B leaves A's references alone.
	if err := e.svc.Delete(ctxB, "account", theirs.ID(), ""); err != nil {
		t.Fatal(err)
	}
	e.unchanged(snap)
}

func TestNoCaller(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acc := e.create("account", `{"name":"x"}`)
	for _, ctx := range []context.Context{context.Background(), principal.With(context.Background(), principal.Principal{UserID: newID()})} {
		_, err := e.svc.Create(ctx, "account", body(t, `{"name":"y"}`))
		wantFault(t, err, fault.Unauthenticated, "unauthenticated", "")
		_, err = e.svc.Get(ctx, "account", acc.ID(), &query.Options{})
		wantFault(t, err, fault.Unauthenticated, "unauthenticated", "")
		_, err = e.svc.List(ctx, "account", &query.Options{}, zeroRO)
		wantFault(t, err, fault.Unauthenticated, "unauthenticated", "")
		wantFault(t, e.svc.Delete(ctx, "account", acc.ID(), ""), fault.Unauthenticated, "unauthenticated", "")
	}
	// A tenant id that does not exist cannot write.
	ghost := principal.With(context.Background(), principal.Principal{TenantID: newID(), Admin: true})
	_, err := e.svc.Create(ghost, "account", body(t, `{"name":"y"}`))
	wantFault(t, err, fault.NotFound, "unknown_tenant", "")
}
