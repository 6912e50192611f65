package metadata

import "testing"

func TestSystemDefinitionsAreValid(t *testing.T) {
	d, err := System()
	if err != nil {
		t.Fatal(err)
	}
	m := NewModel(d.Entities, d.Relationships)
	for _, name := range []string{"account", "contact", "lead", "opportunity", "product", "opportunity_line",
		"task", "phone_call", "email", "appointment", "note", "activity", "case", "knowledge_article",
		"campaign", "marketing_list", "user", "team", "business_unit"} {
		if m.Entity(name) == nil {
			t.Errorf("system entity %s is missing", name)
		}
	}
	acc := m.Entity("account")
	for _, a := range []string{"name", "account_number", "industry", "revenue", "revenue_currency", "employees",
		"city", "country", "primary_contact_id", "parent_account_id", "id", "version"} {
		if acc.Attr(a) == nil {
			t.Errorf("account.%s is missing", a)
		}
	}
	if n := m.Nav(acc, "primary_contact_id"); n == nil || n.Kind != NavManyToOne || n.To.Name != "contact" {
		t.Errorf("primary_contact_id navigation: %+v", n)
	}
	if n := m.Nav(acc, "contacts"); n == nil || n.Kind != NavOneToMany || n.To.Name != "contact" {
		t.Errorf("account contacts navigation: %+v", n)
	}
	if n := m.Nav(acc, "child_accounts"); n == nil || n.Attr.Name != "parent_account_id" {
		t.Errorf("child_accounts navigation: %+v", n)
	}
	if n := m.Nav(m.Entity("marketing_list"), "member_contacts"); n == nil || n.Kind != NavManyToMany {
		t.Errorf("member_contacts navigation: %+v", n)
	}
	if m.EntityBySet("opportunities").Name != "opportunity" {
		t.Error("set name lookup")
	}
}

func TestValidateEntityRejectsBadDefinitions(t *testing.T) {
	d, _ := System()
	m := NewModel(d.Entities, d.Relationships)
	cases := []struct {
		name string
		e    *Entity
		code string
	}{
		{"bad name", &Entity{Name: "Project"}, "invalid_name"},
		{"set name taken", &Entity{Name: "project", SetName: "accounts"}, "duplicate_name"},
		{"reserved attribute", &Entity{Name: "project", Attributes: []*Attribute{{Name: "version", Type: TypeString}}}, "reserved_name"},
		{"unknown type", &Entity{Name: "project", Attributes: []*Attribute{{Name: "x", Type: "float"}}}, "invalid_type"},
		{"lookup without _id", &Entity{Name: "project", Attributes: []*Attribute{{Name: "acct", Type: TypeLookup, Target: "account"}}}, "invalid_name"},
		{"lookup to nowhere", &Entity{Name: "project", Attributes: []*Attribute{{Name: "x_id", Type: TypeLookup, Target: "nope"}}}, "unknown_entity"},
		{"choice without options", &Entity{Name: "project", Attributes: []*Attribute{{Name: "phase", Type: TypeChoice}}}, "required"},
		{"duplicate attribute", &Entity{Name: "project", Attributes: []*Attribute{{Name: "a", Type: TypeString}, {Name: "a", Type: TypeText}}}, "duplicate_name"},
		{"money companion clash", &Entity{Name: "project", Attributes: []*Attribute{{Name: "budget", Type: TypeMoney}, {Name: "budget_currency", Type: TypeString}}}, "duplicate_name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.e.Normalize()
			err := ValidateEntity(m, c.e)
			if err == nil {
				t.Fatal("expected an error")
			}
			found := false
			for _, f := range allFaults(err) {
				if f == c.code {
					found = true
				}
			}
			if !found {
				t.Fatalf("want code %s, got %v", c.code, err)
			}
		})
	}
}
