package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/demo"
	"github.com/meridian-crm/meridian/internal/principal"
)

// The demo's security roles, so that signing in as one of its people shows the security model
// at work: a sales representative sees the customers of their region (business unit) and edits
// their own deals; a manager sees the units below theirs; service agents work cases; marketing
// works campaigns and leads. Everyone reads products and knowledge articles.
var demoRoles = []struct {
	name, staffRole string
	grants          []string // entity:privilege:depth, privilege "*" for all eight
}{
	{"Sales Representative", "sales", []string{
		"account:*:user", "account:read:business_unit", "contact:*:user", "contact:read:business_unit",
		"lead:*:user", "lead:read:business_unit", "opportunity:*:user", "opportunity:read:business_unit",
		"opportunity_line:*:user", "opportunity_line:read:business_unit",
		"task:*:user", "phone_call:*:user", "email:*:user", "appointment:*:user", "note:*:user", "activity:read:business_unit",
		"account:append_to:business_unit", "contact:append_to:business_unit", "opportunity:append_to:business_unit",
		"case:read:business_unit", "product:read:organization", "knowledge_article:read:organization",
		"campaign:read:organization", "user:read:organization", "team:read:organization", "business_unit:read:organization",
	}},
	{"Sales Manager", "manager", []string{
		"account:*:parent_child", "contact:*:parent_child", "lead:*:parent_child", "opportunity:*:parent_child",
		"opportunity_line:*:parent_child", "task:*:parent_child", "phone_call:*:parent_child", "email:*:parent_child",
		"appointment:*:parent_child", "note:*:parent_child", "activity:read:parent_child", "case:read:parent_child",
		"campaign:read:organization", "campaign_response:read:organization", "product:read:organization",
		"knowledge_article:read:organization", "user:read:organization", "team:read:organization", "business_unit:read:organization",
	}},
	{"Service Agent", "service", []string{
		"case:*:business_unit", "account:read:business_unit", "contact:read:business_unit", "contact:write:business_unit",
		"account:append_to:business_unit", "contact:append_to:business_unit",
		"task:*:user", "phone_call:*:user", "email:*:user", "appointment:*:user", "note:*:user", "activity:read:business_unit",
		"knowledge_article:*:organization", "product:read:organization", "user:read:organization", "team:read:organization",
		"business_unit:read:organization",
	}},
	{"Marketing", "marketing", []string{
		"campaign:*:organization", "campaign_response:*:organization", "marketing_list:*:organization",
		"lead:*:organization", "contact:read:organization", "account:read:organization", "product:read:organization",
		"task:*:user", "email:*:user", "note:*:user", "activity:read:user", "user:read:organization", "team:read:organization",
		"business_unit:read:organization",
	}},
}

// secureDemo creates the demo's roles, gives each of its people the role of their job, and
// sets everyone's password to the demo password. It runs once, right after the data is loaded.
func secureDemo(ctx context.Context, a *app.App, tenantID, password string) error {
	sys := principal.With(ctx, principal.System(tenantID))
	byStaffRole := map[string]string{}
	for _, r := range demoRoles {
		var grants []access.Grant
		for _, g := range r.grants {
			parts := strings.Split(g, ":")
			privs := []string{parts[1]}
			if parts[1] == "*" {
				privs = access.Privileges
			}
			for _, p := range privs {
				grants = append(grants, access.Grant{Entity: parts[0], Privilege: p, Depth: parts[2]})
			}
		}
		role, err := a.Access.CreateRoleWith(sys, r.name, "Kestrel Systems demo role", false, grants)
		if err != nil {
			return fmt.Errorf("demo role %s: %w", r.name, err)
		}
		byStaffRole[r.staffRole] = role.ID
	}
	for _, s := range demo.Staff() {
		email := s.Email
		id, err := a.Records.IDByKey(sys, "user", map[string]string{"email": email})
		if err != nil {
			return fmt.Errorf("demo user %s: %w", email, err)
		}
		if role := byStaffRole[s.Role]; role != "" {
			if err := a.Access.AssignRole(sys, role, id); err != nil {
				return err
			}
		}
		if err := a.Auth.SetPassword(ctx, tenantID, id, password); err != nil {
			return err
		}
	}
	return nil
}

// demoRep returns a sales representative of the demo for the sign-in banner.
func demoRep() demo.Person {
	for _, s := range demo.Staff() {
		if s.Role == "sales" {
			return s
		}
	}
	return demo.Person{}
}
