// Package routing applies assignment rules to leads and cases: records of the assignment_rule
// entity, tried in order, the first whose condition (an OData $filter evaluated by the database
// through the one read path) matches the record decides its owner — a user, a team, the next
// member of a team in turn, or the user or team of the record's territory — and, for cases, its
// queue. Rules run when a record is created, in the creating transaction, and on demand. Every
// routing is a write through the records service that names the rule (routed_by_rule_id), so
// the audit trail shows which rule assigned the record.
package routing

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
)

// Entities are the entities assignment rules route.
var Entities = []string{"lead", "case"}

// Kinds of assignment (assign_type).
const (
	AssignNone       = "none"
	AssignUser       = "user"
	AssignTeam       = "team"
	AssignRoundRobin = "round_robin"
	AssignTerritory  = "territory"
)

// Router applies assignment rules.
type Router struct {
	recs *records.Service
}

// New returns a router over the records service.
func New(recs *records.Service) *Router { return &Router{recs: recs} }

// Wire registers the routing of new leads and cases (in their creating transaction) and the
// checks of assignment rules as they are written, and returns the router.
func Wire(recs *records.Service) *Router {
	r := New(recs)
	for _, e := range Entities {
		recs.Register(records.Hook{Name: "routing.assign", Entity: e, React: records.EachChange(func(ctx context.Context, c records.Change) error {
			if c.Op != records.OpCreate {
				return nil
			}
			_, err := r.apply(ctx, c.Entity.Name, c.ID, &c)
			return err
		})})
	}
	recs.Register(records.Hook{Name: "routing.check_rules", Entity: "assignment_rule", React: records.EachChange(func(ctx context.Context, c records.Change) error {
		for _, e := range Entities {
			store.TxForget(ctx, rulesKey{e})
		}
		if c.After == nil {
			return r.dropCursor(ctx, c.TenantID, c.ID)
		}
		return r.check(ctx, c.After)
	})})
	return r
}

// Result says how a record was routed.
type Result struct {
	// Routed is false when no active rule matched the record (nothing was written).
	Routed   bool            `json:"routed"`
	RuleID   string          `json:"rule_id,omitempty"`
	RuleName string          `json:"rule_name,omitempty"`
	OwnerID  string          `json:"owner_id,omitempty"`
	QueueID  string          `json:"queue_id,omitempty"`
	Record   *records.Record `json:"-"`
}

// Route applies the assignment rules to record id of entity (lead or case) on demand: the
// first matching rule assigns it, even when it has an owner. The caller needs the assign
// privilege on the record.
func (r *Router) Route(ctx context.Context, entity, id string) (*Result, error) {
	if !routable(entity) {
		return nil, fault.Newf(fault.Invalid, "not_routable", "assignment rules route leads and cases, not %s", entity)
	}
	var res *Result
	err := r.recs.Store().WithTx(ctx, func(ctx context.Context) error {
		// The caller must see the record (a not-found otherwise) before any rule is tried.
		if _, err := r.recs.Get(ctx, entity, id, idOnly()); err != nil {
			return err
		}
		var err error
		res, err = r.apply(ctx, entity, id, nil)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("routing: route %s: %w", entity, err)
	}
	return res, nil
}

func routable(entity string) bool {
	for _, e := range Entities {
		if e == entity {
			return true
		}
	}
	return false
}

// apply tries the rules on the record and writes what the first matching one decides. created
// is the record's create (nil on demand): a create keeps an owner or queue its input gave.
func (r *Router) apply(ctx context.Context, entity, id string, created *records.Change) (*Result, error) {
	p, ok := principal.From(ctx)
	if !ok {
		return nil, fault.New(fault.Unauthenticated, "unauthenticated", "no authenticated caller")
	}
	// Rules and conditions are read as the server: which rule matches must not depend on what
	// the caller may see.
	sys := principal.With(ctx, principal.System(p.TenantID))
	rules, err := r.rules(sys, entity)
	if err != nil || len(rules) == 0 {
		return &Result{}, err
	}
	for _, rule := range rules {
		d, err := r.decide(sys, entity, id, rule)
		if err != nil {
			return nil, err
		}
		if d == nil {
			continue
		}
		in := records.Input{"routed_by_rule_id": rule.id}
		if d.owner != "" && (created == nil || !created.OwnerGiven) {
			in["owner_id"] = d.owner
		}
		if d.queue != "" && entity == "case" && (created == nil || created.After["queue_id"] == nil) {
			in["queue_id"] = d.queue
		}
		rec, err := r.recs.Route(ctx, entity, id, in, created == nil)
		if err != nil {
			return nil, err
		}
		owner, _ := rec.Get("owner_id").(string)
		queue, _ := rec.Get("queue_id").(string)
		return &Result{Routed: true, RuleID: rule.id, RuleName: rule.name, OwnerID: owner, QueueID: queue, Record: rec}, nil
	}
	return &Result{}, nil
}

// rule is an active assignment rule.
type rule struct {
	id, name, condition, assign string
	user, team, queue           string
	territoryAttr, territories  string
}

// rulesKey keeps the rules of an entity for the rest of a transaction: a bulk import reads
// them once, not once per row.
type rulesKey struct{ entity string }

// rules reads the active rules of entity in order (sequence, then creation).
func (r *Router) rules(ctx context.Context, entity string) ([]rule, error) {
	return store.TxMemo(ctx, rulesKey{entity}, func() ([]rule, error) { return r.readRules(ctx, entity) })
}

func (r *Router) readRules(ctx context.Context, entity string) ([]rule, error) {
	o, err := query.ParseOptions("$filter=" + url.QueryEscape("target_entity eq '"+entity+"' and is_active eq true") +
		"&$orderby=sequence,created_at,id")
	if err != nil {
		return nil, err
	}
	page, err := r.recs.List(ctx, "assignment_rule", o, records.ReadOptions{PageSize: 1000})
	if err != nil {
		return nil, err
	}
	out := make([]rule, 0, len(page.Records))
	for _, rec := range page.Records {
		out = append(out, rule{id: rec.ID(), name: str(rec, "name"), condition: strings.TrimSpace(str(rec, "condition")),
			assign: str(rec, "assign_type"), user: str(rec, "user_id"), team: str(rec, "team_id"), queue: str(rec, "queue_id"),
			territoryAttr: strings.TrimSpace(str(rec, "territory_attribute")), territories: str(rec, "territories")})
	}
	return out, nil
}

func str(rec *records.Record, name string) string { s, _ := rec.Get(name).(string); return s }

func idOnly() *query.Options {
	o, _ := query.ParseOptions("$select=id")
	return o
}

// decision is what a matching rule does to a record.
type decision struct{ owner, queue string }

// decide returns what rule does to record id, or nil when the rule does not apply to it (its
// condition is false, or a territory rule knows no territory for the record).
func (r *Router) decide(ctx context.Context, entity, id string, ru rule) (*decision, error) {
	if ok, err := r.matches(ctx, entity, id, ru.condition); err != nil || !ok {
		return nil, err
	}
	d := &decision{queue: ru.queue}
	switch ru.assign {
	case AssignUser:
		d.owner = ru.user
	case AssignTeam:
		d.owner = ru.team
	case AssignRoundRobin:
		owner, err := r.nextMember(ctx, ru)
		if err != nil {
			return nil, err
		}
		d.owner = owner
	case AssignTerritory:
		owner, err := r.territoryOwner(ctx, entity, id, ru)
		if err != nil || owner == "" {
			return nil, err
		}
		d.owner = owner
	}
	return d, nil
}

// matches evaluates a rule's condition on one record in the database: the record is read with
// the filter "id eq <id> and (<condition>)", so the condition means what it means in a list.
func (r *Router) matches(ctx context.Context, entity, id, condition string) (bool, error) {
	if condition == "" {
		return true, nil
	}
	f := "id eq " + id + " and (" + condition + ")"
	o, err := query.ParseOptions("$select=id&$top=1&$filter=" + url.QueryEscape(f))
	if err != nil {
		return false, fmt.Errorf("routing: condition %q: %w", condition, err)
	}
	page, err := r.recs.List(ctx, entity, o, records.ReadOptions{})
	if err != nil {
		return false, err
	}
	return len(page.Records) == 1, nil
}

// territoryOwner returns the user or team of the record's territory ("" when the rule names
// none for the record's value).
func (r *Router) territoryOwner(ctx context.Context, entity, id string, ru rule) (string, error) {
	if ru.territoryAttr == "" {
		return "", nil
	}
	terr, err := parseTerritories(ru.territories)
	if err != nil {
		return "", err
	}
	o, err := query.ParseOptions("$select=" + url.QueryEscape(ru.territoryAttr))
	if err != nil {
		return "", err
	}
	rec, err := r.recs.Get(ctx, entity, id, o)
	if err != nil {
		return "", err
	}
	value, _ := rec.Get(ru.territoryAttr).(string)
	return terr.owner(value), nil
}

// territories map values of a record's territory attribute (compared without case and
// surrounding space) to the id of a user or team; "*" maps every other value.
type territories map[string]string

func parseTerritories(s string) (territories, error) {
	raw := map[string]string{}
	if strings.TrimSpace(s) != "" {
		if err := json.Unmarshal([]byte(s), &raw); err != nil {
			return nil, fault.Field("territories", "invalid_territories", "territories must be a JSON object from values to user or team ids: %v", err)
		}
	}
	out := make(territories, len(raw))
	for k, v := range raw {
		out[norm(k)] = strings.TrimSpace(v)
	}
	return out, nil
}

func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func (t territories) owner(value string) string {
	if o, ok := t[norm(value)]; ok && strings.TrimSpace(value) != "" {
		return o
	}
	return t["*"]
}

// Summary says what applying the rules to many records did.
type Summary struct {
	Routed    int `json:"routed"`
	Unmatched int `json:"unmatched"` // no active rule matched
	Denied    int `json:"denied"`    // the caller may not assign the record
}

// MaxApply caps how many records one Apply routes.
const MaxApply = 1000

// Apply routes, on demand, the records of entity (lead or case) that match filter (an OData
// $filter; empty: all) and the caller may read, up to MaxApply, each in its own transaction.
// Records the caller may not assign are counted, not fatal.
func (r *Router) Apply(ctx context.Context, entity, filter string) (*Summary, error) {
	if !routable(entity) {
		return nil, fault.Field("entity", "not_routable", "assignment rules route leads and cases, not %s", entity)
	}
	q := "$select=id&$orderby=created_at,id&$top=" + fmt.Sprint(MaxApply)
	if strings.TrimSpace(filter) != "" {
		q += "&$filter=" + url.QueryEscape(filter)
	}
	o, err := query.ParseOptions(q)
	if err != nil {
		return nil, err
	}
	page, err := r.recs.List(ctx, entity, o, records.ReadOptions{PageSize: MaxApply})
	if err != nil {
		return nil, err
	}
	sum := &Summary{}
	for _, rec := range page.Records {
		res, err := r.Route(ctx, entity, rec.ID())
		switch {
		case fault.Is(err, fault.Permission):
			sum.Denied++
		case err != nil:
			return nil, err
		case res.Routed:
			sum.Routed++
		default:
			sum.Unmatched++
		}
	}
	return sum, nil
}
