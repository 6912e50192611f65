package records_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
)

// addAccountExtras adds custom attributes to account for the types no system attribute of it
// has: multi_choice, json, boolean, date, datetime and decimal.
func (e *env) addAccountExtras() {
	e.t.Helper()
	two := 2
	for _, a := range []*metadata.Attribute{
		{Name: "tags", Type: metadata.TypeMultiChoice, Options: []metadata.Option{
			{Value: "vip", Label: metadata.Label{EN: "VIP"}}, {Value: "partner", Label: metadata.Label{EN: "Partner"}},
			{Value: "reseller", Label: metadata.Label{EN: "Reseller"}}}},
		{Name: "extra", Type: metadata.TypeJSON},
		{Name: "is_partner", Type: metadata.TypeBoolean},
		{Name: "founded_on", Type: metadata.TypeDate},
		{Name: "last_met_at", Type: metadata.TypeDateTime},
		{Name: "score", Type: metadata.TypeDecimal, Scale: &two},
	} {
		if _, err := e.schema.AddAttribute(e.ctx, "account", a); err != nil {
			e.t.Fatalf("add account.%s: %v", a.Name, err)
		}
	}
}

func TestCreateAllTypes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addAccountExtras()
	contact := e.create("contact", `{"first_name":"Ada","last_name":"Lovelace"}`)
	parent := e.create("account", `{"name":"Parent"}`)
	acc := e.create("account", `{
		"name": "Contoso",
		"account_number": "A-1",
		"description": "A long text\nwith two lines",
		"employees": 120,
		"revenue": 1234567.891,
		"industry": "technology",
		"phone": "+86 (21) 5555-0100",
		"email": "info@contoso.example",
		"website": "https://contoso.example/about",
		"primary_contact_id": "`+contact.ID()+`",
		"parent_account_id": "`+parent.ID()+`",
		"tags": ["vip", "reseller"],
		"extra": {"tier": "gold", "seats": 12},
		"is_partner": true,
		"founded_on": "1999-12-31",
		"last_met_at": "2030-01-01T08:30:00.123456+08:00",
		"score": 9.25
	}`)
	// The returned record and a fresh read agree.
	for _, r := range []*records.Record{acc, e.get("account", acc.ID())} {
		want := map[string]any{
			"name":               "Contoso",
			"account_number":     "A-1",
			"description":        "A long text\nwith two lines",
			"employees":          int64(120),
			"industry":           "technology",
			"phone":              "+86 (21) 5555-0100",
			"email":              "info@contoso.example",
			"website":            "https://contoso.example/about",
			"primary_contact_id": contact.ID(),
			"parent_account_id":  parent.ID(),
			"revenue_currency":   "USD",
			"tags":               []string{"vip", "reseller"},
			"is_partner":         true,
			"founded_on":         "1999-12-31",
			"last_met_at":        time.Date(2030, 1, 1, 0, 30, 0, 123456000, time.UTC),
			"version":            e.version(),
			"created_at":         epoch,
			"modified_at":        epoch,
			"city":               nil,
		}
		for k, w := range want {
			got := r.Get(k)
			if tm, ok := got.(time.Time); ok {
				if !tm.Equal(w.(time.Time)) {
					t.Errorf("%s = %v, want %v", k, tm, w)
				}
				continue
			}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("%s = %#v, want %#v", k, got, w)
			}
		}
		if d, ok := r.Get("revenue").(decimal.Decimal); !ok || !d.Equal(decimal.RequireFromString("1234567.891")) {
			t.Errorf("revenue = %#v", r.Get("revenue"))
		}
		if d, ok := r.Get("score").(decimal.Decimal); !ok || !d.Equal(decimal.RequireFromString("9.25")) {
			t.Errorf("score = %#v", r.Get("score"))
		}
		var extra map[string]any
		raw, _ := r.Get("extra").(json.RawMessage)
		if err := json.Unmarshal(raw, &extra); err != nil || extra["tier"] != "gold" || extra["seats"] != float64(12) {
			t.Errorf("extra = %s (%v)", raw, err)
		}
		if r.Get("owner_id") == nil || r.Get("created_by") == nil {
			t.Errorf("owner_id/created_by not set from the principal: %v", r.Map())
		}
	}
	if ops := e.changeOps("account", acc.ID()); ops != "c" {
		t.Errorf("change log ops %q, want c", ops)
	}
}

func TestCreateCurrencyKept(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acc := e.create("account", `{"name":"Yuan Co","revenue":"88.5","revenue_currency":"CNY"}`)
	if got := str(e.get("account", acc.ID()), "revenue_currency"); got != "CNY" {
		t.Fatalf("revenue_currency = %q, want CNY", got)
	}
	// An update of the amount alone keeps the stored currency.
	up, err := e.svc.Update(e.ctx, "account", acc.ID(), body(t, `{"revenue":100}`), "")
	if err != nil || str(up, "revenue_currency") != "CNY" {
		t.Fatalf("after update currency %q (%v), want CNY", str(up, "revenue_currency"), err)
	}
	// No money value, no currency.
	if got := e.create("account", `{"name":"Nothing"}`).Get("revenue_currency"); got != nil {
		t.Fatalf("revenue_currency without revenue = %v, want null", got)
	}
}

func TestCreateAutonumber(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, want := range []string{"CAS-000001", "CAS-000002", "CAS-000003"} {
		c := e.create("case", `{"title":"Printer on fire"}`)
		if got := str(c, "case_number"); got != want {
			t.Fatalf("case_number = %q, want %q", got, want)
		}
		if got := str(e.get("case", c.ID()), "case_number"); got != want {
			t.Fatalf("stored case_number = %q, want %q", got, want)
		}
	}
	// Numbering is per tenant.
	ctxB, _ := e.newTenant("other")
	if got := str(e.createIn(ctxB, "case", `{"title":"x"}`), "case_number"); got != "CAS-000001" {
		t.Fatalf("first case of another tenant = %q, want CAS-000001", got)
	}
	// A failed create does not use up a number.
	if _, err := e.svc.Create(e.ctx, "case", body(t, `{"title":"x","account_id":"`+newID()+`"}`)); err == nil {
		t.Fatal("create with a missing account succeeded")
	}
	if got := str(e.create("case", `{"title":"y"}`), "case_number"); got != "CAS-000004" {
		t.Fatalf("after a failed create case_number = %q, want CAS-000004", got)
	}
}

func TestCreateFullName(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct{ in, want string }{
		{`{"first_name":"Ada","last_name":"Lovelace"}`, "Ada Lovelace"},
		{`{"first_name":"小明","last_name":"王"}`, "王小明"},
		{`{"last_name":"Turing"}`, "Turing"},
		{`{"first_name":" Grace ","last_name":"Hopper "}`, "Grace Hopper"},
		{`{"first_name":"Ada","last_name":"Lovelace","full_name":"Countess of Lovelace"}`, "Countess of Lovelace"},
	} {
		c := e.create("contact", tc.in)
		if got := str(e.get("contact", c.ID()), "full_name"); got != tc.want {
			t.Errorf("%s: full_name %q, want %q", tc.in, got, tc.want)
		}
	}
	// Changing one part recomposes from the stored other part.
	c := e.create("contact", `{"first_name":"明","last_name":"王"}`)
	up, err := e.svc.Update(e.ctx, "contact", c.ID(), body(t, `{"first_name":"小红"}`), "")
	if err != nil || str(up, "full_name") != "王小红" {
		t.Fatalf("after update full_name %q (%v), want 王小红", str(up, "full_name"), err)
	}
	// Leads compose their name the same way.
	l := e.create("lead", `{"first_name":"Alan","last_name":"Kay"}`)
	if got := str(l, "full_name"); got != "Alan Kay" {
		t.Fatalf("lead full_name %q", got)
	}
}

func TestCreateDefaults(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		entity, in string
		want       map[string]any
	}{
		{"opportunity", `{"name":"Big deal"}`, map[string]any{"stage": "qualify", "status": "open", "probability": int64(10)}},
		{"opportunity", `{"name":"Won deal","stage":"close","status":"won"}`, map[string]any{"stage": "close", "status": "won"}},
		{"contact", `{"last_name":"X"}`, map[string]any{"do_not_email": false}},
		{"product", `{"name":"P","product_number":"P-1"}`, map[string]any{"is_active": true}},
		{"knowledge_article", `{"title":"How to"}`, map[string]any{"version_number": int64(1), "status": "draft", "article_number": "KA-00001"}},
		{"task", `{"subject":"Call back"}`, map[string]any{"status": "open", "priority": "normal"}},
	} {
		r := e.create(tc.entity, tc.in)
		got := e.get(tc.entity, r.ID())
		for k, w := range tc.want {
			if !reflect.DeepEqual(got.Get(k), w) {
				t.Errorf("%s %s: %s = %#v, want %#v", tc.entity, tc.in, k, got.Get(k), w)
			}
		}
	}
	// An explicit null is kept, not replaced by the default.
	r := e.create("opportunity", `{"name":"No stage","stage":null}`)
	if got := e.get("opportunity", r.ID()).Get("stage"); got != nil {
		t.Errorf("explicit null stage stored as %v", got)
	}
}

func TestCreateWithClientID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := newID()
	r := e.create("account", `{"id":"`+id+`","name":"Mine"}`)
	if r.ID() != id {
		t.Fatalf("id %s, want %s", r.ID(), id)
	}
	snap := e.snapshot("account")
	_, err := e.svc.Create(e.ctx, "account", body(t, `{"id":"`+id+`","name":"Again"}`))
	wantFault(t, err, fault.Conflict, "duplicate_key", "id")
	e.unchanged(snap)
}
