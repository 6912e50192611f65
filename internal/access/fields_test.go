package access_test

import (
	"context"
	"testing"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/schema"
)

// TestFieldLevelSecurity: a secured attribute is absent (not null) for callers without a
// profile that lets them read it, cannot be used to filter, sort, group or expand, and can be
// set or changed only as their profiles allow; administrators are not restricted.
func TestFieldLevelSecurity(t *testing.T) {
	w := newWorld(t)
	w.setDepth("organization")
	sch := schema.NewService(w.svc.Store(), w.reg)
	m, err := w.svc.Model(w.ctx)
	if err != nil {
		t.Fatal(err)
	}
	rev := *m.Entity("account").Attr("revenue")
	rev.Secured = true
	if _, err := sch.UpdateAttribute(w.ctx, "account", "revenue", &rev, false); err != nil {
		t.Fatal(err)
	}
	id := w.create("account", map[string]any{"name": "Secret revenue", "revenue": "1000000"})

	denied := func(ctx context.Context, what string, err error) {
		t.Helper()
		fe, ok := fault.As(err)
		if !ok || fe.Kind != fault.Permission || (fe.Code != "field_access_denied" && !hasCode(fe, "field_access_denied")) {
			t.Errorf("%s: %v, want field_access_denied", what, err)
		}
	}
	reads := func(ctx context.Context) bool {
		t.Helper()
		rec, err := w.svc.Get(ctx, "account", id, &query.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, has := rec.Map()["revenue"]
		_, cur := rec.Map()["revenue_currency"]
		if has != cur {
			t.Errorf("revenue visible %v but its currency %v", has, cur)
		}
		return has
	}
	// The system (an administrator) sees it.
	if !reads(w.ctx) {
		t.Fatal("the administrator does not read a secured field")
	}
	// A user without a profile: absent, and every way of asking is refused.
	ctx := w.as("other_unit")
	if reads(ctx) {
		t.Error("a user without a profile reads the secured field")
	}
	for _, raw := range []string{"$select=name,revenue", "$filter=revenue gt 0", "$orderby=revenue desc",
		"$apply=groupby((revenue))", "$apply=aggregate(revenue with sum as total)"} {
		_, err := w.svc.List(ctx, "account", opts(t, raw), records.ReadOptions{})
		denied(ctx, raw, err)
	}
	if _, err := w.svc.Update(w.ctx, "contact", w.contact, input(t, map[string]any{"account_id": id}), ""); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.Get(ctx, "contact", w.contact, opts(t, "$expand=account($select=revenue)"))
	denied(ctx, "$expand select", err)
	_, err = w.svc.Create(ctx, "account", input(t, map[string]any{"name": "x", "revenue": "5"}))
	denied(ctx, "create with it", err)
	_, err = w.svc.Update(ctx, "account", id, input(t, map[string]any{"revenue": "5"}), "")
	denied(ctx, "update it", err)
	rec, err := w.svc.Update(ctx, "account", id, input(t, map[string]any{"city": "Ningbo"}), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, has := rec.Map()["revenue"]; has {
		t.Error("the record returned by an update shows the secured field")
	}
	exp, err := w.svc.List(ctx, "account", opts(t, "$filter=id eq "+id), records.ReadOptions{})
	if err != nil || len(exp.Records) != 1 {
		t.Fatal(err)
	}
	if _, has := exp.Records[0].Map()["revenue"]; has {
		t.Error("a list (and so an export) shows the secured field")
	}

	// A profile with read only, held through a team.
	prof, err := w.acc.CreateProfile(w.ctx, "Finance readers", "", []access.FieldPermission{{Entity: "account", Attribute: "revenue", Read: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.acc.AddProfileMember(w.ctx, prof.ID, w.team); err != nil {
		t.Fatal(err)
	}
	ctx = w.as("team_member")
	if !reads(ctx) {
		t.Error("a team member with a read profile does not read the field")
	}
	if p, err := w.svc.List(ctx, "account", opts(t, "$filter=revenue gt 0 and id eq "+id), records.ReadOptions{}); err != nil || len(p.Records) != 1 {
		t.Errorf("filter by a readable secured field: %v", err)
	}
	_, err = w.svc.Update(ctx, "account", id, input(t, map[string]any{"revenue": "6"}), "")
	denied(ctx, "update with a read-only profile", err)

	// A profile that may set and change but not read.
	writer, err := w.acc.CreateProfile(w.ctx, "Finance clerks", "", []access.FieldPermission{{Entity: "account", Attribute: "revenue", Create: true, Update: true}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.acc.AddProfileMember(w.ctx, writer.ID, w.users["same_unit"]); err != nil {
		t.Fatal(err)
	}
	ctx = w.as("same_unit")
	created, err := w.svc.Create(ctx, "account", input(t, map[string]any{"name": "Clerk's", "revenue": "7"}))
	if err != nil {
		t.Fatal(err)
	}
	if _, has := created.Map()["revenue"]; has {
		t.Error("a write-only profile reads the value back")
	}
	if reads(ctx) {
		t.Error("a write-only profile reads the field")
	}
	// The value was stored.
	stored, err := w.svc.Get(w.ctx, "account", created.ID(), opts(t, "$select=revenue"))
	if err != nil || stored.Get("revenue") == nil {
		t.Errorf("the clerk's revenue was not stored: %v", err)
	}
	// Losing the profile takes the right away at once.
	if err := w.acc.RemoveProfileMember(w.ctx, prof.ID, w.team); err != nil {
		t.Fatal(err)
	}
	if reads(w.as("team_member")) {
		t.Error("the field stays readable after the profile was taken away")
	}
	// A profile can only name secured attributes.
	_, err = w.acc.CreateProfile(w.ctx, "Bad", "", []access.FieldPermission{{Entity: "account", Attribute: "city", Read: true}})
	if !hasCode(err, "not_secured") {
		t.Errorf("a profile on an unsecured field: %v", err)
	}
}

func hasCode(err error, code string) bool {
	fe, ok := fault.As(err)
	if !ok {
		return false
	}
	if fe.Code == code {
		return true
	}
	for _, d := range fe.Details {
		if d.Code == code {
			return true
		}
	}
	return false
}
