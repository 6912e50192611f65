package records_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

func TestDelta(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.create("account", `{"name":"a"}`)
	b := e.create("account", `{"name":"b"}`)
	c := e.create("account", `{"name":"c"}`)
	first := e.list("account", "", records.ReadOptions{TrackChange: true})
	if first.Delta == "" || len(first.Records) != 3 {
		t.Fatalf("tracked read: delta %q, %d records", first.Delta, len(first.Records))
	}
	delta := func(token, filter string) *records.Page {
		t.Helper()
		o := opts(t, filter)
		o.DeltaToken = token
		p, err := e.svc.List(e.ctx, "account", o, zeroRO)
		if err != nil {
			t.Fatalf("delta %s: %v", token, err)
		}
		return p
	}
	// Nothing changed: an empty delta and the same token.
	if p := delta(first.Delta, ""); len(p.Records) != 0 || len(p.Removed) != 0 || p.Delta != first.Delta {
		t.Fatalf("empty delta: %d records, removed %v, token %q", len(p.Records), p.Removed, p.Delta)
	}

	d := e.create("account", `{"name":"d"}`)
	if _, err := e.svc.Update(e.ctx, "account", a.ID(), body(t, `{"city":"Suzhou"}`), ""); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Delete(e.ctx, "account", b.ID(), ""); err != nil {
		t.Fatal(err)
	}
	tmp := e.create("account", `{"name":"tmp"}`)
	if err := e.svc.Delete(e.ctx, "account", tmp.ID(), ""); err != nil {
		t.Fatal(err)
	}
	// Changes to other entities are not part of this entity's delta.
	e.create("contact", `{"last_name":"x"}`)

	p := delta(first.Delta, "")
	if got := names(p.Records, "name"); !slices.Equal(got, []string{"d", "a"}) {
		t.Errorf("changed records %v, want [d a] in change order", got)
	}
	if got := str(p.Records[1], "city"); got != "Suzhou" {
		t.Errorf("changed record carries city %q", got)
	}
	removed := append([]string(nil), p.Removed...)
	sort.Strings(removed)
	want := []string{b.ID(), tmp.ID()}
	sort.Strings(want)
	if !slices.Equal(removed, want) {
		t.Errorf("removed %v, want %v", p.Removed, want)
	}
	if p.Delta == "" || p.Delta == first.Delta || p.DeltaNext != "" {
		t.Fatalf("new delta token %q (next %q)", p.Delta, p.DeltaNext)
	}
	// The new token sees nothing until the next change.
	if p2 := delta(p.Delta, ""); len(p2.Records) != 0 || len(p2.Removed) != 0 {
		t.Fatalf("delta after catching up: %v, removed %v", names(p2.Records, "name"), p2.Removed)
	}
	if _, err := e.svc.Update(e.ctx, "account", c.ID(), body(t, `{"city":"Wuxi"}`), ""); err != nil {
		t.Fatal(err)
	}
	if p3 := delta(p.Delta, ""); !slices.Equal(ids(p3.Records), []string{c.ID()}) || len(p3.Removed) != 0 {
		t.Fatalf("next delta %v, removed %v", names(p3.Records, "name"), p3.Removed)
	}
	// A filter applies to the changed records.
	if p4 := delta(first.Delta, "$filter=name eq 'd'"); !slices.Equal(ids(p4.Records), []string{d.ID()}) {
		t.Fatalf("filtered delta %v", names(p4.Records, "name"))
	}
}

func TestDeltaPaging(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	start := e.list("account", "", records.ReadOptions{TrackChange: true}).Delta
	var created []string
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		created = append(created, e.create("account", `{"name":"`+n+`"}`).ID())
	}
	if err := e.svc.Delete(e.ctx, "account", created[0], ""); err != nil {
		t.Fatal(err)
	}
	// Page through the changes two at a time.
	var seen, removed []string
	token := start
	final := ""
	for i := 0; final == "" && i < 10; i++ {
		o := &query.Options{DeltaToken: token}
		p, err := e.svc.List(e.ctx, "account", o, records.ReadOptions{PageSize: 2})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, names(p.Records, "name")...)
		removed = append(removed, p.Removed...)
		if len(p.Records)+len(p.Removed) > 2 {
			t.Fatalf("page of %d changes, want at most 2", len(p.Records)+len(p.Removed))
		}
		token, final = p.DeltaNext, p.Delta
	}
	if !slices.Equal(seen, []string{"b", "c", "d", "e"}) || !slices.Equal(removed, created[:1]) {
		t.Fatalf("paged delta: %v, removed %v", seen, removed)
	}
	if final == "" {
		t.Fatal("delta paging did not end with a delta token")
	}
}

func TestDeltaErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct{ token, query string }{{"abc", ""}, {"-1", ""}, {"0", "$orderby=name"}, {"0", "$top=1"}} {
		o := opts(t, tc.query)
		o.DeltaToken = tc.token
		_, err := e.svc.List(e.ctx, "account", o, zeroRO)
		if fault.KindOf(err) != fault.Invalid || fault.CodeOf(err) != "invalid_deltatoken" {
			t.Errorf("token %q with %q: %v, want invalid_deltatoken", tc.token, tc.query, err)
		}
	}
}
