package service

import (
	"context"
	"fmt"
	"net/url"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// Pick assigns a case waiting in a queue to the caller, who must be a member of the queue (the
// members see the queue's cases without owning them). Membership, not the assign privilege,
// allows it: the write is a routing of the case (records.Service.Route), audited as an assign.
// A new case moves to in progress.
func (c *Cases) Pick(ctx context.Context, id string) (*records.Record, error) {
	p, ok := principal.From(ctx)
	if !ok || p.UserID == "" {
		return nil, fault.New(fault.Unauthenticated, "unauthenticated", "picking a case needs a signed-in user")
	}
	var out *records.Record
	err := c.recs.Store().WithTx(ctx, func(ctx context.Context) error {
		cur, err := c.recs.Get(ctx, "case", id, nil)
		if err != nil {
			return err
		}
		queue, _ := cur.Get("queue_id").(string)
		if queue == "" {
			return fault.New(fault.Conflict, "not_in_queue", "the case is in no queue")
		}
		if closed(status(cur)) {
			return fault.Newf(fault.Conflict, "case_closed", "the case is %s", status(cur))
		}
		member, err := c.isMember(ctx, queue, p)
		if err != nil {
			return err
		}
		if !member {
			return fault.New(fault.Permission, "not_queue_member", "only the members of the case's queue may pick it")
		}
		in := records.Input{"owner_id": p.UserID}
		if status(cur) == "new" {
			in["status"] = "in_progress"
		}
		out, err = c.recs.Route(ctx, "case", id, in, false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("service: pick: %w", err)
	}
	return out, nil
}

// isMember tells whether the caller belongs to queue (read as the server: a member need not
// have the right to read queues or users).
func (c *Cases) isMember(ctx context.Context, queue string, p principal.Principal) (bool, error) {
	o, err := query.ParseOptions("$select=id&$filter=" + url.QueryEscape("id eq "+p.UserID))
	if err != nil {
		return false, err
	}
	sys := principal.With(ctx, principal.System(p.TenantID))
	page, _, err := c.recs.Related(sys, "queue", queue, "members", o, records.ReadOptions{})
	if err != nil {
		return false, err
	}
	return len(page.Records) == 1, nil
}
