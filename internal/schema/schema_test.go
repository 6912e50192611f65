package schema_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

func TestCreateEntityIsUsableAtOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	created, err := e.schema.CreateEntity(e.ctx, project())
	if err != nil {
		t.Fatal(err)
	}
	if !created.Custom || created.SetName != "projects" || created.PrimaryName != "name" {
		t.Fatalf("normalized definition: custom=%v set=%s primary=%s", created.Custom, created.SetName, created.PrimaryName)
	}
	if nav := e.model().Nav(e.model().Entity("account"), "projects"); nav == nil || nav.To.Name != "project" {
		t.Fatalf("account has no projects navigation: %v", nav)
	}
	acc := e.create("account", `{"name":"Acme"}`)
	p := e.create("project", `{"name":"Rollout","account_id":"`+acc.ID()+`","budget":25000.5}`)
	if p.Get("phase") != "plan" || p.Get("budget_currency") != "USD" {
		t.Fatalf("defaults: %v", p.Map())
	}
	if d, _ := p.Get("budget").(decimal.Decimal); !d.Equal(decimal.RequireFromString("25000.5")) {
		t.Fatalf("budget %v", p.Get("budget"))
	}
	// Validation follows the definition.
	_, err = e.rec.Create(e.ctx, "project", body(t, `{"name":"x","phase":"dream"}`))
	wantCode(t, err, fault.Invalid, "invalid_choice", "phase")
	_, err = e.rec.Create(e.ctx, "project", body(t, `{"name":"`+strings.Repeat("n", 101)+`"}`))
	wantCode(t, err, fault.Invalid, "too_long", "name")
	_, err = e.rec.Create(e.ctx, "project", body(t, `{"name":"x","account_id":"`+p.ID()+`"}`))
	wantCode(t, err, fault.Invalid, "lookup_not_found", "account_id")
	// Reads, filters and expansions over the new table and navigation.
	page, err := e.rec.List(e.ctx, "account", mustOpts(t, "$expand=projects($select=name,phase)"), records.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if ps, _ := page.Records[0].Expanded["projects"].([]*records.Record); len(ps) != 1 || ps[0].Get("name") != "Rollout" {
		t.Fatalf("account's projects: %v", page.Records[0].Expanded)
	}
	page, err = e.rec.List(e.ctx, "project", mustOpts(t, "$filter=account_id/name eq 'Acme' and budget gt 100"), records.ReadOptions{})
	if err != nil || len(page.Records) != 1 {
		t.Fatalf("filter through the lookup: %d records (%v)", len(page.Records), err)
	}
	// The lookup's default on_delete: set null.
	if err := e.rec.Delete(e.ctx, "account", acc.ID(), ""); err != nil {
		t.Fatal(err)
	}
	got, err := e.rec.Get(e.ctx, "project", p.ID(), &query.Options{})
	if err != nil || got.Get("account_id") != nil {
		t.Fatalf("project after its account was deleted: %v (%v)", got, err)
	}
}

func TestCreateEntityRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createProject()
	for _, tc := range []struct {
		name   string
		def    *metadata.Entity
		kind   fault.Kind
		code   string
		target string
	}{
		{"existing name", project(), fault.Conflict, "duplicate_name", "name"},
		{"system name", &metadata.Entity{Name: "account", Attributes: project().Attributes}, fault.Conflict, "duplicate_name", "name"},
		{"bad name", &metadata.Entity{Name: "Bad Name", SetName: "bads", Attributes: project().Attributes}, fault.Invalid, "invalid_name", "name"},
		{"set name taken", &metadata.Entity{Name: "venture", SetName: "accounts", Attributes: project().Attributes}, fault.Invalid, "duplicate_name", "set_name"},
		{"set name is an entity", &metadata.Entity{Name: "venture", SetName: "contact", Attributes: project().Attributes}, fault.Invalid, "duplicate_name", "set_name"},
		{"lookup to nothing", &metadata.Entity{Name: "thing", Attributes: []*metadata.Attribute{{Name: "x_id", Type: metadata.TypeLookup, Target: "nowhere"}}}, fault.Invalid, "unknown_entity", "attributes[0].target"},
		{"reserved attribute", &metadata.Entity{Name: "thing", Attributes: []*metadata.Attribute{{Name: "version", Type: metadata.TypeString}}}, fault.Invalid, "reserved_name", "attributes[0].name"},
		{"view", &metadata.Entity{Name: "thing", Union: []string{"task"}}, fault.Invalid, "not_allowed", "union"},
		// A second lookup from project to account would also be called "projects" on account.
		{"navigation clash", &metadata.Entity{Name: "venture", Attributes: []*metadata.Attribute{{Name: "name", Type: metadata.TypeString},
			{Name: "account_id", Type: metadata.TypeLookup, Target: "account", ReverseName: "projects"}}}, fault.Invalid, "duplicate_name", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e.model()
			_, err := e.schema.CreateEntity(e.ctx, tc.def)
			wantCode(t, err, tc.kind, tc.code, tc.target)
			if e.model() != before {
				t.Error("a refused change published a new model")
			}
		})
	}
	for _, table := range []string{"thing", "venture"} {
		if cols := e.columns(table); len(cols) != 0 {
			t.Errorf("a refused entity left table %s behind: %v", table, cols)
		}
	}
	if got := e.model().EntityBySet("accounts"); got == nil || got.Name != "account" {
		t.Errorf("accounts now names %v", got)
	}
}

func TestAddAttribute(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createProject()
	e.create("project", `{"name":"Old"}`)
	for _, tc := range []struct{ entity, in, name string }{
		{"project", `{"name":"New","code":"P-1"}`, "code"},
		{"account", `{"name":"Acme","loyalty":"gold"}`, "loyalty"},
	} {
		a, err := e.schema.AddAttribute(e.ctx, tc.entity, &metadata.Attribute{Name: tc.name, Type: metadata.TypeString, MaxLength: 20})
		if err != nil {
			t.Fatal(err)
		}
		if a.Custom != (tc.entity == "account") {
			t.Errorf("%s.%s custom=%v: only attributes added to system entities are marked custom", tc.entity, tc.name, a.Custom)
		}
		if !e.columns(tc.entity)[tc.name] {
			t.Fatalf("no column %s.%s", tc.entity, tc.name)
		}
		r := e.create(tc.entity, tc.in)
		if r.Get(tc.name) == nil {
			t.Fatalf("%s not stored: %v", tc.name, r.Map())
		}
	}
	// Refusals.
	_, err := e.schema.AddAttribute(e.ctx, "project", &metadata.Attribute{Name: "code", Type: metadata.TypeString})
	wantCode(t, err, fault.Conflict, "duplicate_name", "name")
	_, err = e.schema.AddAttribute(e.ctx, "project", &metadata.Attribute{Name: "budget_currency", Type: metadata.TypeString})
	wantCode(t, err, fault.Conflict, "duplicate_name", "name")
	_, err = e.schema.AddAttribute(e.ctx, "account", &metadata.Attribute{Name: "projects", Type: metadata.TypeString})
	wantCode(t, err, fault.Conflict, "duplicate_name", "name")
	_, err = e.schema.AddAttribute(e.ctx, "project", &metadata.Attribute{Name: "size", Type: "huge"})
	wantCode(t, err, fault.Invalid, "invalid_type", "type")
	_, err = e.schema.AddAttribute(e.ctx, "activity", &metadata.Attribute{Name: "x", Type: metadata.TypeString})
	wantCode(t, err, fault.Invalid, "read_only_entity", "")
	// A required attribute cannot be added while records exist without it.
	_, err = e.schema.AddAttribute(e.ctx, "project", &metadata.Attribute{Name: "owner_code", Type: metadata.TypeString, Required: true})
	wantCode(t, err, -1, "required_on_existing", "owner_code")
	if e.columns("project")["owner_code"] || e.model().Entity("project").Attr("owner_code") != nil {
		t.Fatal("the refused attribute was added")
	}
}

func TestDeleteAttribute(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createProject()
	if _, err := e.schema.AddAttribute(e.ctx, "account", &metadata.Attribute{Name: "loyalty", Type: metadata.TypeString}); err != nil {
		t.Fatal(err)
	}
	e.create("project", `{"name":"A","budget":10,"notes":"keep me"}`)
	e.create("account", `{"name":"Acme","loyalty":"gold"}`)
	for _, tc := range []struct{ entity, attr string }{{"project", "budget"}, {"project", "notes"}, {"account", "loyalty"}} {
		err := e.schema.DeleteAttribute(e.ctx, tc.entity, tc.attr, false)
		wantCode(t, err, -1, "data_loss", tc.attr)
		if !e.columns(tc.entity)[tc.attr] || e.model().Entity(tc.entity).Attr(tc.attr) == nil {
			t.Fatalf("%s.%s was dropped without force", tc.entity, tc.attr)
		}
		if err := e.schema.DeleteAttribute(e.ctx, tc.entity, tc.attr, true); err != nil {
			t.Fatalf("forced delete of %s.%s: %v", tc.entity, tc.attr, err)
		}
		if e.columns(tc.entity)[tc.attr] || e.model().Entity(tc.entity).Attr(tc.attr) != nil {
			t.Fatalf("%s.%s still there after a forced delete", tc.entity, tc.attr)
		}
	}
	if e.columns("project")["budget_currency"] {
		t.Error("the money attribute's currency column was left behind")
	}
	// An empty attribute goes without force; the records service no longer knows it.
	if err := e.schema.DeleteAttribute(e.ctx, "project", "phase", false); err == nil {
		t.Fatal("phase has its default value in every record: deleting it needs force")
	}
	if _, err := e.schema.AddAttribute(e.ctx, "project", &metadata.Attribute{Name: "spare", Type: metadata.TypeInteger}); err != nil {
		t.Fatal(err)
	}
	if err := e.schema.DeleteAttribute(e.ctx, "project", "spare", false); err != nil {
		t.Fatal(err)
	}
	_, err := e.rec.Create(e.ctx, "project", body(t, `{"name":"B","spare":1}`))
	wantCode(t, err, fault.Invalid, "unknown_field", "spare")
	// Shipped attributes, primary names, system columns.
	wantCode(t, e.schema.DeleteAttribute(e.ctx, "account", "city", true), fault.Invalid, "system_attribute", "")
	wantCode(t, e.schema.DeleteAttribute(e.ctx, "project", "name", true), fault.Conflict, "in_use", "")
	wantCode(t, e.schema.DeleteAttribute(e.ctx, "project", "version", true), fault.NotFound, "unknown_attribute", "")
}

func TestUpdateAttribute(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createProject()
	e.create("project", `{"name":"Twelve chars"}`)
	e.create("project", `{"name":"Short","notes":"n"}`)

	t.Run("required while records lack it", func(t *testing.T) {
		a := e.attr("project", "notes")
		a.Required = true
		_, err := e.schema.UpdateAttribute(e.ctx, "project", "notes", a, false)
		wantCode(t, err, fault.Conflict, "required_on_existing", "notes")
		if e.model().Entity("project").Attr("notes").Required {
			t.Fatal("the refused change was published")
		}
		// Fill the gap, then it works, and the records service enforces it.
		p, err := e.rec.List(e.ctx, "project", mustOpts(t, "$filter=notes eq null"), records.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range p.Records {
			if _, err := e.rec.Update(e.ctx, "project", r.ID(), body(t, `{"notes":"filled"}`), ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.schema.UpdateAttribute(e.ctx, "project", "notes", a, false); err != nil {
			t.Fatal(err)
		}
		_, err = e.rec.Create(e.ctx, "project", body(t, `{"name":"No notes"}`))
		wantCode(t, err, fault.Invalid, "required", "notes")
	})

	t.Run("narrow max_length", func(t *testing.T) {
		a := e.attr("project", "name")
		a.MaxLength = 10
		_, err := e.schema.UpdateAttribute(e.ctx, "project", "name", a, false)
		wantCode(t, err, fault.Conflict, "data_loss", "name")
		if e.model().Entity("project").Attr("name").MaxLength != 100 {
			t.Fatal("the refused change was published")
		}
		a.MaxLength = 12 // "Twelve chars" still fits
		if _, err := e.schema.UpdateAttribute(e.ctx, "project", "name", a, false); err != nil {
			t.Fatal(err)
		}
		_, err = e.rec.Create(e.ctx, "project", body(t, `{"name":"Thirteen char","notes":"n"}`))
		wantCode(t, err, fault.Invalid, "too_long", "name")
		// Characters, not bytes.
		e.create("project", `{"name":"十二个汉字十二个汉字十二","notes":"n"}`)
	})

	t.Run("remove an option in use", func(t *testing.T) {
		e.create("project", `{"name":"Built","phase":"build","notes":"n"}`)
		a := e.attr("project", "phase")
		a.Options = slices.DeleteFunc(a.Options, func(o metadata.Option) bool { return o.Value == "build" })
		_, err := e.schema.UpdateAttribute(e.ctx, "project", "phase", a, false)
		wantCode(t, err, fault.Conflict, "data_loss", "phase")
	})

	t.Run("type change", func(t *testing.T) {
		for _, tc := range []struct {
			attr string
			to   metadata.Type
		}{{"notes", metadata.TypeInteger}, {"budget", metadata.TypeDecimal}, {"account_id", metadata.TypeString}, {"notes", metadata.TypeChoice}} {
			a := e.attr("project", tc.attr)
			a.Type, a.Target, a.MaxLength = tc.to, "", 0
			if tc.to == metadata.TypeChoice {
				a.Options = []metadata.Option{{Value: "n", Label: metadata.Label{EN: "N"}}}
			}
			_, err := e.schema.UpdateAttribute(e.ctx, "project", tc.attr, a, true)
			wantCode(t, err, fault.Invalid, "type_change", tc.attr)
		}
		// Between text-like types the data stays as it is.
		a := e.attr("project", "notes")
		a.Type = metadata.TypeString
		a.MaxLength = 500
		if _, err := e.schema.UpdateAttribute(e.ctx, "project", "notes", a, false); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("shipped attributes change labels, security, index and options only", func(t *testing.T) {
		a := e.attr("account", "city")
		a.MaxLength = 5
		a.Required = true
		a.DisplayName = metadata.Label{EN: "Town", ZH: "城镇"}
		_, err := e.schema.UpdateAttribute(e.ctx, "account", "city", a, false)
		fe, _ := fault.As(err)
		var targets []string
		for _, d := range fe.Details {
			if d.Code == "not_changeable" {
				targets = append(targets, d.Target)
			}
		}
		if slices.Sort(targets); !slices.Equal(targets, []string{"max_length", "required"}) {
			t.Fatalf("refused fields %v (%v), want max_length and required", targets, err)
		}
		if got := e.attr("account", "city"); got.DisplayName.EN == "Town" {
			t.Fatal("a refused change was applied in part")
		}
		a = e.attr("account", "city")
		a.DisplayName = metadata.Label{EN: "Town", ZH: "城镇"}
		got, err := e.schema.UpdateAttribute(e.ctx, "account", "city", a, false)
		if err != nil {
			t.Fatal(err)
		}
		if got.MaxLength != 80 || got.Required || got.DisplayName.EN != "Town" {
			t.Fatalf("account.city became %+v", got)
		}
	})
}

func TestDeleteEntity(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.createProject()
	e.create("project", `{"name":"A"}`)
	wantCode(t, e.schema.DeleteEntity(e.ctx, "project", false), fault.Conflict, "data_loss", "")
	if e.model().Entity("project") == nil {
		t.Fatal("refused delete removed the entity")
	}
	wantCode(t, e.schema.DeleteEntity(e.ctx, "account", true), fault.Invalid, "system_entity", "")
	if err := e.schema.DeleteEntity(e.ctx, "project", true); err != nil {
		t.Fatal(err)
	}
	if e.model().Entity("project") != nil || len(e.columns("project")) != 0 {
		t.Fatal("project still exists")
	}
	if e.model().Nav(e.model().Entity("account"), "projects") != nil {
		t.Fatal("account keeps a navigation to the deleted entity")
	}
	// The name is free again.
	e.createProject()
	e.create("project", `{"name":"Again"}`)
}

// TestReloadAfterRestart opens a second store on the same database, as a restarted server
// would, and checks that custom definitions come back from the database and work.
func TestReloadAfterRestart(t *testing.T) {
	t.Parallel()
	dsn := storetest.DSN(t)
	first := open(t, dsn)
	first.ctx = first.newTenant("acme")
	first.createProject()
	if _, err := first.schema.AddAttribute(first.ctx, "account", &metadata.Attribute{Name: "loyalty", Type: metadata.TypeChoice,
		Options: []metadata.Option{{Value: "gold", Label: metadata.Label{EN: "Gold"}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := first.schema.AddAttribute(first.ctx, "project", &metadata.Attribute{Name: "code", Type: metadata.TypeString, MaxLength: 8}); err != nil {
		t.Fatal(err)
	}
	acc := first.create("account", `{"name":"Acme","loyalty":"gold"}`)
	p := first.create("project", `{"name":"Rollout","account_id":"`+acc.ID()+`","code":"R1","budget":5}`)
	first.st.Close()

	second := open(t, dsn)
	second.ctx = first.ctx // same database, same tenant
	m := second.model()
	pe := m.Entity("project")
	if pe == nil || !pe.Custom || pe.Attr("code") == nil || pe.Attr("code").MaxLength != 8 || pe.Attr("budget_currency") == nil {
		t.Fatalf("project after restart: %+v", pe)
	}
	if a := m.Entity("account").Attr("loyalty"); a == nil || !a.Custom || a.Option("gold") == nil {
		t.Fatalf("account.loyalty after restart: %+v", a)
	}
	if m.Nav(m.Entity("account"), "projects") == nil {
		t.Fatal("account.projects navigation lost after restart")
	}
	got, err := second.rec.Get(second.ctx, "project", p.ID(), mustOpts(t, "$expand=account($select=loyalty)"))
	if err != nil {
		t.Fatal(err)
	}
	if got.Get("code") != "R1" {
		t.Fatalf("project read after restart: %v", got.Map())
	}
	if acc, _ := got.Expanded["account"].(*records.Record); acc == nil || acc.Get("loyalty") != "gold" {
		t.Fatalf("expanded account after restart: %v", got.Expanded)
	}
	second.create("project", `{"name":"Second","code":"S2","account_id":"`+acc.ID()+`"}`)
	_, err = second.rec.Create(second.ctx, "project", body(t, `{"name":"Third","code":"TOO-LONG-9"}`))
	wantCode(t, err, fault.Invalid, "too_long", "code")
	// Further schema changes work on the reloaded model.
	if err := second.schema.DeleteAttribute(second.ctx, "project", "code", true); err != nil {
		t.Fatal(err)
	}
	second.st.Close()
	third := open(t, dsn)
	third.ctx = first.ctx
	if third.model().Entity("project").Attr("code") != nil {
		t.Fatal("a deleted attribute came back after a restart")
	}
}

func mustOpts(t *testing.T, raw string) *query.Options {
	t.Helper()
	o, err := query.ParseOptions(raw)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

var _ = context.Background
