package records

import (
	"context"
	"fmt"

	"github.com/meridian-crm/meridian/internal/principal"
)

// Route writes onto record id of entity the values an assignment rule derived for it (owner,
// queue, the rule that routed it), or the owner a queue member takes by picking a case from the
// queue (the caller checks the membership). The rules are configured by an administrator, so routing is
// a derived write like a roll-up: at creation (authorize false) it needs no right beyond the
// create that triggered it, even when the new owner is someone else or the caller may not link
// records to the rule or queue; on demand (authorize true) the caller needs the assign privilege
// on the record. The write is validated, versioned, audited in the caller's name (as an assign
// when the owner changes) and in the change log, in the caller's transaction or a new one.
func (s *Service) Route(ctx context.Context, entity, id string, in Input, authorize bool) (*Record, error) {
	p, m, e, err := s.writable(ctx, entity)
	if err != nil {
		return nil, err
	}
	var rec *Record
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		cur, err := s.loadWith(ctx, p, e, id, authorize)
		if err != nil {
			return err
		}
		if authorize {
			if err := s.authorize(ctx, OpAssign, e, recordFromMap(e, cur)); err != nil {
				return err
			}
		}
		// The values are checked as the server: the rule, not the caller, chose them.
		sys := principal.With(ctx, principal.System(p.TenantID))
		vals, err := s.prepare(sys, m, e, in, cur)
		if err != nil {
			return err
		}
		if err := s.checkLookups(sys, m, e, p.TenantID, vals); err != nil {
			return err
		}
		op := OpUpdate
		if owner, ok := vals["owner_id"]; ok && owner != cur["owner_id"] {
			op = OpAssign
		}
		rec, err = s.writeAs(ctx, p, e, cur, vals, op)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("records: route %s: %w", entity, err)
	}
	return s.redact(ctx, rec), nil
}
