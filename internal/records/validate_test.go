package records_test

import (
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/fault"
)

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.create("account", `{"name":"First","account_number":"A-1"}`)
	ctxB, _ := e.newTenant("other")
	foreign := e.createIn(ctxB, "account", `{"name":"Theirs"}`)
	foreignContact := e.createIn(ctxB, "contact", `{"last_name":"Theirs"}`)
	long := strings.Repeat("x", 161)
	for _, tc := range []struct {
		name, entity, in string
		kind             fault.Kind
		code, target     string
	}{
		{"unknown field", "account", `{"name":"a","colour":"red"}`, fault.Invalid, "unknown_field", "colour"},
		{"navigation instead of lookup", "contact", `{"last_name":"a","account":"x"}`, fault.Invalid, "unknown_field", "account"},
		{"string into integer", "account", `{"name":"a","employees":"abc"}`, fault.Invalid, "invalid_type", "employees"},
		{"fraction into integer", "account", `{"name":"a","employees":1.5}`, fault.Invalid, "invalid_type", "employees"},
		{"number into string", "account", `{"name":42}`, fault.Invalid, "invalid_type", "name"},
		{"bad date", "opportunity", `{"name":"a","close_date":"2030-02-30"}`, fault.Invalid, "invalid_type", "close_date"},
		{"bad datetime", "task", `{"subject":"a","due_at":"tomorrow"}`, fault.Invalid, "invalid_type", "due_at"},
		{"bad boolean", "contact", `{"last_name":"a","do_not_email":"yes"}`, fault.Invalid, "invalid_type", "do_not_email"},
		{"money too precise", "account", `{"name":"a","revenue":1.00001}`, fault.Invalid, "invalid_type", "revenue"},
		{"lookup not a uuid", "contact", `{"last_name":"a","account_id":"42"}`, fault.Invalid, "invalid_type", "account_id"},
		{"required missing", "account", `{"account_number":"A-9"}`, fault.Invalid, "required", "name"},
		{"required null", "account", `{"name":null}`, fault.Invalid, "required", "name"},
		{"required blank", "account", `{"name":"   "}`, fault.Invalid, "required", "name"},
		{"required empty on a note", "note", `{"subject":""}`, fault.Invalid, "required", "subject"},
		{"invalid choice", "account", `{"name":"a","industry":"spaceflight"}`, fault.Invalid, "invalid_choice", "industry"},
		{"lookup to a missing record", "account", `{"name":"a","primary_contact_id":"` + newID() + `"}`, fault.Invalid, "lookup_not_found", "primary_contact_id"},
		{"lookup to another tenant", "contact", `{"last_name":"a","account_id":"` + foreign.ID() + `"}`, fault.Invalid, "lookup_not_found", "account_id"},
		{"lookup to another tenant's contact", "account", `{"name":"a","primary_contact_id":"` + foreignContact.ID() + `"}`, fault.Invalid, "lookup_not_found", "primary_contact_id"},
		{"polymorphic lookup without type", "task", `{"subject":"a","regarding_id":"` + newID() + `"}`, fault.Invalid, "required", "regarding_type"},
		{"polymorphic type without id", "task", `{"subject":"a","regarding_type":"account"}`, fault.Invalid, "invalid_value", "regarding_type"},
		{"polymorphic type not an entity", "task", `{"subject":"a","regarding_id":"` + newID() + `","regarding_type":"Account"}`, fault.Invalid, "required", "regarding_type"},
		{"polymorphic lookup to a missing record", "task", `{"subject":"a","regarding_id":"` + newID() + `","regarding_type":"account"}`, fault.Invalid, "lookup_not_found", "regarding_id"},
		{"too long", "account", `{"name":"` + long + `"}`, fault.Invalid, "too_long", "name"},
		{"too long in characters", "account", `{"name":"a","city":"` + strings.Repeat("北", 81) + `"}`, fault.Invalid, "too_long", "city"},
		{"NUL in text", "account", `{"name":"a","city":"Shang\u0000hai"}`, fault.Invalid, "invalid_character", "city"},
		{"NUL in an email", "contact", `{"last_name":"a","email":"a\u0000@b.example"}`, fault.Invalid, "invalid_character", "email"},
		{"above max", "opportunity", `{"name":"a","probability":101}`, fault.Invalid, "out_of_range", "probability"},
		{"below min", "account", `{"name":"a","employees":-1}`, fault.Invalid, "out_of_range", "employees"},
		{"bad email", "account", `{"name":"a","email":"not an email"}`, fault.Invalid, "invalid_format", "email"},
		{"email with display name", "account", `{"name":"a","email":"Bob <bob@example.com>"}`, fault.Invalid, "invalid_format", "email"},
		{"bad url", "account", `{"name":"a","website":"contoso.example"}`, fault.Invalid, "invalid_format", "website"},
		{"non-http url", "account", `{"name":"a","website":"javascript:alert(1)"}`, fault.Invalid, "invalid_format", "website"},
		{"bad phone", "account", `{"name":"a","phone":"call me"}`, fault.Invalid, "invalid_format", "phone"},
		{"bad currency", "account", `{"name":"a","revenue":1,"revenue_currency":"usd"}`, fault.Invalid, "invalid_value", "revenue_currency"},
		{"version is read-only", "account", `{"name":"a","version":7}`, fault.Invalid, "read_only_field", "version"},
		{"created_at is read-only", "account", `{"name":"a","created_at":"2020-01-01T00:00:00Z"}`, fault.Invalid, "read_only_field", "created_at"},
		{"modified_by is read-only", "account", `{"name":"a","modified_by":"` + newID() + `"}`, fault.Invalid, "read_only_field", "modified_by"},
		{"autonumber is read-only", "case", `{"title":"a","case_number":"CAS-999999"}`, fault.Invalid, "read_only_field", "case_number"},
		{"duplicate alternate key", "account", `{"name":"Second","account_number":"A-1"}`, fault.Conflict, "duplicate_key", "account_number"},
		{"read-only view", "activity", `{"subject":"a"}`, fault.Invalid, "read_only_entity", ""},
		{"unknown entity", "spaceship", `{}`, fault.NotFound, "unknown_entity", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ents := []string{"account", "contact", "opportunity", "task", "case"}
			snap := e.snapshot(ents...)
			_, err := e.svc.Create(e.ctx, tc.entity, body(t, tc.in))
			wantFault(t, err, tc.kind, tc.code, tc.target)
			// A failed write changes nothing: no row, no version, no change log entry.
			e.unchanged(snap)
		})
	}
}

func TestValidationReportsEveryFault(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	snap := e.snapshot("opportunity")
	_, err := e.svc.Create(e.ctx, "opportunity", body(t, `{
		"probability": 150,
		"stage": "dreaming",
		"amount": "lots",
		"close_date": "soon",
		"version": 3,
		"whatever": 1
	}`))
	fe := wantFault(t, err, fault.Invalid, "invalid_type", "amount")
	got := map[string]string{}
	for _, d := range fe.Details {
		got[d.Target] = d.Code
		if d.Kind != fault.Invalid {
			t.Errorf("detail %s has kind %s", d.Target, d.Kind)
		}
	}
	want := map[string]string{"amount": "invalid_type", "close_date": "invalid_type", "name": "required",
		"probability": "out_of_range", "stage": "invalid_choice", "version": "read_only_field", "whatever": "unknown_field"}
	if len(got) != len(want) || len(fe.Details) != len(want) {
		t.Fatalf("details %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("detail %s: %q, want %q", k, got[k], v)
		}
	}
	// Details are sorted by target, so that clients and tests see a stable order.
	for i := 1; i < len(fe.Details); i++ {
		if fe.Details[i-1].Target > fe.Details[i].Target {
			t.Fatalf("details not sorted: %s before %s", fe.Details[i-1].Target, fe.Details[i].Target)
		}
	}
	e.unchanged(snap)
}

func TestUpdateValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.create("case", `{"title":"T"}`)
	task := e.create("task", `{"subject":"T","regarding_id":"`+c.ID()+`","regarding_type":"case"}`)
	acc := e.create("account", `{"name":"A","account_number":"A-1"}`)
	e.create("account", `{"name":"B","account_number":"B-1"}`)
	for _, tc := range []struct {
		name, entity, id, in string
		kind                 fault.Kind
		code, target         string
	}{
		{"clear required", "account", acc.ID(), `{"name":null}`, fault.Invalid, "required", "name"},
		{"change id", "account", acc.ID(), `{"id":"` + newID() + `"}`, fault.Invalid, "read_only_field", "id"},
		{"set version", "account", acc.ID(), `{"version":99}`, fault.Invalid, "read_only_field", "version"},
		{"set created_at", "account", acc.ID(), `{"created_at":"2020-01-01T00:00:00Z"}`, fault.Invalid, "read_only_field", "created_at"},
		{"set autonumber", "case", c.ID(), `{"case_number":"CAS-1"}`, fault.Invalid, "read_only_field", "case_number"},
		{"duplicate key", "account", acc.ID(), `{"account_number":"B-1"}`, fault.Conflict, "duplicate_key", "account_number"},
		{"lookup not found", "account", acc.ID(), `{"parent_account_id":"` + newID() + `"}`, fault.Invalid, "lookup_not_found", "parent_account_id"},
		{"too long", "account", acc.ID(), `{"name":"` + strings.Repeat("y", 161) + `"}`, fault.Invalid, "too_long", "name"},
		{"re-target a polymorphic lookup by its type", "task", task.ID(), `{"regarding_type":"account"}`, fault.Invalid, "lookup_not_found", "regarding_id"},
		{"clear a polymorphic lookup's type", "task", task.ID(), `{"regarding_type":null}`, fault.Invalid, "required", "regarding_type"},
		{"not found", "account", newID(), `{"name":"x"}`, fault.NotFound, "not_found", ""},
		{"not an id", "account", "42", `{"name":"x"}`, fault.NotFound, "not_found", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap := e.snapshot("account", "case", "task")
			_, err := e.svc.Update(e.ctx, tc.entity, tc.id, body(t, tc.in), "")
			wantFault(t, err, tc.kind, tc.code, tc.target)
			e.unchanged(snap)
		})
	}
}

func TestPolymorphicLookup(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acc := e.create("account", `{"name":"A"}`)
	con := e.create("contact", `{"last_name":"C"}`)
	task := e.create("task", `{"subject":"T","regarding@odata.bind":"accounts(`+acc.ID()+`)"}`)
	if str(task, "regarding_id") != acc.ID() || str(task, "regarding_type") != "account" {
		t.Fatalf("bind: %v", task.Map())
	}
	// Moving to another record of another entity sets both.
	up, err := e.svc.Update(e.ctx, "task", task.ID(), body(t, `{"regarding_id":"`+con.ID()+`","regarding_type":"contact"}`), "")
	if err != nil || str(up, "regarding_type") != "contact" {
		t.Fatalf("re-target: %v (%v)", up.Map(), err)
	}
	// Clearing the id clears the type.
	up, err = e.svc.Update(e.ctx, "task", task.ID(), body(t, `{"regarding_id":null}`), "")
	if err != nil || up.Get("regarding_type") != nil || e.get("task", task.ID()).Get("regarding_type") != nil {
		t.Fatalf("clear: %v (%v)", up.Map(), err)
	}
	// A type alone on a task regarding nothing is refused; a null type is fine.
	_, err = e.svc.Update(e.ctx, "task", task.ID(), body(t, `{"regarding_type":"contact"}`), "")
	wantFault(t, err, fault.Invalid, "invalid_value", "regarding_type")
	if _, err := e.svc.Update(e.ctx, "task", task.ID(), body(t, `{"regarding_type":null}`), ""); err != nil {
		t.Fatal(err)
	}
}
