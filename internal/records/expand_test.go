package records_test

import (
	"slices"
	"testing"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/records"
)

// expandedOne returns the single record expanded under nav (nil when the lookup is empty).
func expandedOne(t *testing.T, r *records.Record, nav string) *records.Record {
	t.Helper()
	v, ok := r.Expanded[nav]
	if !ok {
		t.Fatalf("%s not expanded (have %v)", nav, r.Expanded)
	}
	one, _ := v.(*records.Record)
	return one
}

// expandedMany returns the records expanded under a collection nav.
func expandedMany(t *testing.T, r *records.Record, nav string) []*records.Record {
	t.Helper()
	v, ok := r.Expanded[nav].([]*records.Record)
	if !ok {
		t.Fatalf("%s not expanded as a collection (have %#v)", nav, r.Expanded[nav])
	}
	return v
}

func TestExpand(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acme := e.create("account", `{"name":"Acme","city":"Shanghai"}`)
	globex := e.create("account", `{"name":"Globex","city":"Beijing"}`)
	e.create("account", `{"name":"Empty"}`)
	for _, c := range []struct{ last, acc string }{{"A", acme.ID()}, {"B", acme.ID()}, {"C", acme.ID()}, {"D", globex.ID()}} {
		e.create("contact", `{"last_name":"`+c.last+`","job_title":"dev","account_id":"`+c.acc+`"}`)
	}
	e.create("contact", `{"last_name":"E","job_title":"ceo","account_id":"`+acme.ID()+`"}`)
	e.create("contact", `{"last_name":"F"}`)

	t.Run("many-to-one with nested $select", func(t *testing.T) {
		for _, q := range []string{"$orderby=last_name&$expand=account($select=name)", "$orderby=last_name&$expand=account_id($select=name)&$select=last_name"} {
			p := e.list("contact", q, zeroRO)
			want := map[string]string{"A": "Acme", "B": "Acme", "C": "Acme", "D": "Globex", "E": "Acme", "F": ""}
			for _, r := range p.Records {
				acc := expandedOne(t, r, "account")
				got := ""
				if acc != nil {
					got = str(acc, "name")
					if m := acc.Map(); len(m) != 3 || m["city"] != nil {
						t.Errorf("%s: nested $select returned %v", q, m)
					}
				}
				if got != want[str(r, "last_name")] {
					t.Errorf("%s: contact %s expands to %q, want %q", q, str(r, "last_name"), got, want[str(r, "last_name")])
				}
			}
		}
		// The lookup column is fetched for the expansion but not returned when not selected.
		p := e.list("contact", "$select=last_name&$expand=account($select=name)&$filter=last_name eq 'A'", zeroRO)
		if _, has := p.Records[0].Map()["account_id"]; has {
			t.Errorf("account_id returned without being selected: %v", p.Records[0].Map())
		}
	})

	t.Run("one-to-many with nested $filter, $orderby and $top", func(t *testing.T) {
		p := e.list("account", "$orderby=name&$expand=contacts($filter=job_title eq 'dev';$orderby=last_name desc;$top=2;$select=last_name)", zeroRO)
		want := map[string][]string{"Acme": {"C", "B"}, "Empty": {}, "Globex": {"D"}}
		for _, r := range p.Records {
			got := names(expandedMany(t, r, "contacts"), "last_name")
			if !slices.Equal(got, want[str(r, "name")]) {
				t.Errorf("%s contacts %v, want %v", str(r, "name"), got, want[str(r, "name")])
			}
		}
	})

	t.Run("N:N", func(t *testing.T) {
		l1 := e.create("marketing_list", `{"name":"L1"}`)
		l2 := e.create("marketing_list", `{"name":"L2"}`)
		p := e.list("contact", "$orderby=last_name", zeroRO)
		byName := map[string]string{}
		for _, r := range p.Records {
			byName[str(r, "last_name")] = r.ID()
		}
		for _, link := range []struct{ list, contact string }{{l1.ID(), "A"}, {l1.ID(), "B"}, {l2.ID(), "B"}} {
			if err := e.svc.Associate(e.ctx, "marketing_list", link.list, "member_contacts", byName[link.contact]); err != nil {
				t.Fatal(err)
			}
		}
		lists := e.list("marketing_list", "$orderby=name&$expand=member_contacts($orderby=last_name;$select=last_name)", zeroRO)
		want := map[string][]string{"L1": {"A", "B"}, "L2": {"B"}}
		for _, r := range lists.Records {
			if got := names(expandedMany(t, r, "member_contacts"), "last_name"); !slices.Equal(got, want[str(r, "name")]) {
				t.Errorf("%s members %v, want %v", str(r, "name"), got, want[str(r, "name")])
			}
		}
		// And back from the contact's side, with Get.
		r, err := e.svc.Get(e.ctx, "contact", byName["B"], opts(t, "$expand=marketing_lists($orderby=name)"))
		if err != nil {
			t.Fatal(err)
		}
		if got := names(expandedMany(t, r, "marketing_lists"), "name"); !slices.Equal(got, []string{"L1", "L2"}) {
			t.Errorf("B's lists %v", got)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, q := range []string{"$expand=nothing", "$expand=contacts($expand=account)", "$expand=account($filter=name eq 'x')"} {
			_, err := e.svc.List(e.ctx, "contact", opts(t, q), zeroRO)
			if fault.KindOf(err) != fault.Invalid || fault.CodeOf(err) != "invalid_expand" {
				t.Errorf("%s: %v, want invalid_expand", q, err)
			}
		}
	})
}
