package apidoc

import (
	"encoding/json"
	"testing"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// testModel returns the system model plus a custom entity "project" (a required lookup to
// account, a choice, money, decimal, bounded integer, multi-choice, JSON, date, boolean and
// text attributes, an alternate key) and a custom N:N relationship project ↔ contact.
func testModel(t *testing.T) *metadata.Model {
	t.Helper()
	return buildModel(t, false)
}

// buildModel builds the test model, with the entities handed over in reverse order when
// reversed is set, to show that the output does not depend on definition order.
func buildModel(t *testing.T, reversed bool) *metadata.Model {
	t.Helper()
	d, err := metadata.System()
	if err != nil {
		t.Fatal(err)
	}
	ents := d.Entities
	if reversed {
		ents = make([]*metadata.Entity, len(d.Entities))
		for i, e := range d.Entities {
			ents[len(ents)-1-i] = e
		}
	}
	m := metadata.NewModel(ents, d.Relationships)
	one, five, two := json.Number("1"), json.Number("5"), 2
	p := &metadata.Entity{
		Name:        "project",
		DisplayName: metadata.Label{EN: "Project", ZH: "项目"},
		Description: "A customer project",
		Custom:      true,
		Attributes: []*metadata.Attribute{
			{Name: "name", Type: metadata.TypeString, Required: true, MaxLength: 120,
				DisplayName: metadata.Label{EN: "Project name", ZH: "项目名称"}},
			{Name: "code", Type: metadata.TypeString, MaxLength: 20},
			{Name: "account_id", Type: metadata.TypeLookup, Target: "account", Required: true,
				DisplayName: metadata.Label{EN: "Account", ZH: "客户"}},
			{Name: "phase", Type: metadata.TypeChoice, Required: true,
				DisplayName: metadata.Label{EN: "Phase", ZH: "阶段"},
				Options: []metadata.Option{
					{Value: "plan", Label: metadata.Label{EN: "Plan", ZH: "计划"}},
					{Value: "build", Label: metadata.Label{EN: "Build", ZH: "建设"}},
				}},
			{Name: "budget", Type: metadata.TypeMoney},
			{Name: "hours", Type: metadata.TypeDecimal, Scale: &two},
			{Name: "priority", Type: metadata.TypeInteger, Min: &one, Max: &five},
			{Name: "tags", Type: metadata.TypeMultiChoice, Options: []metadata.Option{
				{Value: "urgent", Label: metadata.Label{EN: "Urgent"}},
				{Value: "internal", Label: metadata.Label{EN: "Internal"}},
			}},
			{Name: "settings", Type: metadata.TypeJSON},
			{Name: "starts_on", Type: metadata.TypeDate},
			{Name: "is_billable", Type: metadata.TypeBoolean, Required: true, Default: json.RawMessage("true")},
			{Name: "notes", Type: metadata.TypeText},
		},
		AlternateKeys: []metadata.AlternateKey{{Name: "code", Attributes: []string{"code"}}},
	}
	p.Normalize()
	if err := metadata.ValidateEntity(m, p); err != nil {
		t.Fatalf("project definition: %v", err)
	}
	m = m.With(p)
	rel := &metadata.ManyToMany{Name: "project_member", Entity1: "project", Entity2: "contact",
		Nav1: "members", Nav2: "projects", DisplayName: metadata.Label{EN: "Project members", ZH: "项目成员"}, Custom: true}
	if err := metadata.ValidateRelationship(m, rel); err != nil {
		t.Fatalf("project_member relationship: %v", err)
	}
	m = m.WithRelationship(rel.Name, rel)
	if err := metadata.ValidateNavigation(m); err != nil {
		t.Fatalf("navigation: %v", err)
	}
	return m
}
