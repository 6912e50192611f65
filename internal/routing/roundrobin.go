package routing

import (
	"context"
	"fmt"
	"net/url"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// nextMember hands the rule's next turn to a member of its team: the enabled members in the
// order of their ids (stable as members come and go), the turn counted per rule in
// assignment_cursor. The counter is bumped with one upsert in the writing transaction, so
// concurrent creates queue on its row and never take the same turn, and a rolled-back create
// gives its turn back.
func (r *Router) nextMember(ctx context.Context, ru rule) (string, error) {
	if ru.team == "" {
		return "", fault.Field("team_id", "required", "round-robin rule %s names no team", ru.name)
	}
	o, err := query.ParseOptions("$select=id&$orderby=id&$filter=" + url.QueryEscape("is_disabled eq false or is_disabled eq null"))
	if err != nil {
		return "", err
	}
	page, _, err := r.recs.Related(ctx, "team", ru.team, "members", o, records.ReadOptions{PageSize: 5000})
	if err != nil {
		return "", err
	}
	if len(page.Records) == 0 {
		return "", nil // nobody to take a turn: the rule sets the queue only
	}
	turn, err := r.takeTurn(ctx, ru.id)
	if err != nil {
		return "", err
	}
	return page.Records[turn%int64(len(page.Records))].ID(), nil
}

// takeTurn counts one more record handed out by rule id and returns the turn it took (from 0).
func (r *Router) takeTurn(ctx context.Context, ruleID string) (int64, error) {
	p, _ := principal.From(ctx)
	st := r.recs.Store()
	ph := st.D.Placeholder
	var turns int64
	err := st.DB(ctx).QueryRowContext(ctx, `INSERT INTO assignment_cursor (tenant_id, rule_id, turns) VALUES (`+ph(1)+`, `+ph(2)+`, 1)
		ON CONFLICT (tenant_id, rule_id) DO UPDATE SET turns = assignment_cursor.turns + 1 RETURNING turns`, p.TenantID, ruleID).Scan(&turns)
	if err != nil {
		return 0, fmt.Errorf("routing: round-robin turn: %w", err)
	}
	return turns - 1, nil
}

// dropCursor forgets the round-robin turns of a deleted rule.
func (r *Router) dropCursor(ctx context.Context, tenant, ruleID string) error {
	st := r.recs.Store()
	ph := st.D.Placeholder
	if _, err := st.Exec(ctx, `DELETE FROM assignment_cursor WHERE tenant_id = `+ph(1)+` AND rule_id = `+ph(2), tenant, ruleID); err != nil {
		return fmt.Errorf("routing: round-robin turns: %w", err)
	}
	return nil
}
