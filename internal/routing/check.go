package routing

import (
	"context"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
)

// noRecord is an id no record has: a condition is checked by running it against it.
const noRecord = "00000000-0000-0000-0000-000000000000"

// check refuses an assignment rule that could not run: a condition the read path does not
// compile for the rule's entity, an assignment without its user, team or territories, a queue
// on a lead rule.
func (r *Router) check(ctx context.Context, vals map[string]any) error {
	get := func(k string) string { s, _ := vals[k].(string); return strings.TrimSpace(s) }
	entity := get("target_entity")
	if cond := get("condition"); cond != "" {
		if _, err := query.ParseFilter(cond); err != nil {
			return fault.Field("condition", "invalid_condition", "the condition is not a valid $filter: %v", err)
		}
		p, _ := principal.From(ctx)
		sys := principal.With(ctx, principal.System(p.TenantID))
		if _, err := r.matches(sys, entity, noRecord, cond); err != nil {
			if f, ok := fault.As(err); ok {
				return fault.Field("condition", "invalid_condition", "the condition is not a valid $filter for %s: %s", entity, f.Message)
			}
			return err
		}
	}
	switch get("assign_type") {
	case AssignUser:
		if get("user_id") == "" {
			return fault.Field("user_id", "required", "a rule that assigns to a user names the user")
		}
	case AssignTeam, AssignRoundRobin:
		if get("team_id") == "" {
			return fault.Field("team_id", "required", "a rule that assigns to a team or its members names the team")
		}
		if err := r.checkOwner(ctx, "team_id", get("team_id")); err != nil {
			return err
		}
	case AssignTerritory:
		attr := get("territory_attribute")
		if attr == "" {
			return fault.Field("territory_attribute", "required", "a territory rule names the field that holds the territory")
		}
		m, err := r.recs.Model(ctx)
		if err != nil {
			return err
		}
		if e := m.Entity(entity); e == nil || e.Attr(attr) == nil {
			return fault.Field("territory_attribute", "unknown_field", "%s is not an attribute of %s", attr, entity)
		}
		t, err := parseTerritories(get("territories"))
		if err != nil {
			return err
		}
		if len(t) == 0 {
			return fault.Field("territories", "required", "a territory rule maps at least one territory to a user or team")
		}
		for value, owner := range t {
			if err := r.checkOwner(ctx, "territories", owner); err != nil {
				return fault.Field("territories", "owner_not_found", "territory %q: %v", value, err)
			}
		}
	}
	if entity == "lead" && get("queue_id") != "" {
		return fault.Field("queue_id", "queue_on_lead", "queues hold cases; a lead rule cannot set one")
	}
	return nil
}

// checkOwner refuses an id that is not a user or an owner team of the tenant (an access team
// cannot own records): the rule would fail every create it applies to.
func (r *Router) checkOwner(ctx context.Context, target, id string) error {
	p, _ := principal.From(ctx)
	kind, err := principal.KindOf(ctx, r.recs.Store(), p.TenantID, id)
	if err != nil {
		return err
	}
	if kind != principal.KindUser && kind != principal.KindTeam {
		return fault.Field(target, "owner_not_found", "%s is not a user or an owner team", id)
	}
	return nil
}
