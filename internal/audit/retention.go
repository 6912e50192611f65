package audit

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

// MaxRetentionDays bounds a retention setting (about a century).
const MaxRetentionDays = 36500

// Retention returns the tenant's retention in days (0: entries are kept forever).
func (s *Service) Retention(ctx context.Context, tenantID string) (int, error) {
	var days int
	err := s.st.DB(ctx).QueryRowContext(ctx, `SELECT retention_days FROM audit_policy WHERE tenant_id = `+s.st.D.Placeholder(1), tenantID).Scan(&days)
	if isNoRows(err) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("audit: retention: %w", err)
	}
	return days, nil
}

// SetRetention sets how many days the tenant's entries are kept (0: forever) and records the
// change in the trail, in one transaction. Only tenant administrators may change it.
func (s *Service) SetRetention(ctx context.Context, tenantID string, days int) error {
	if p, ok := principal.From(ctx); !ok || !p.Admin || p.TenantID != tenantID {
		return fault.New(fault.Permission, "forbidden", "only the tenant's administrators may change the audit retention")
	}
	if days < 0 || days > MaxRetentionDays {
		return fault.Field("days", "invalid_value", "retention is a number of days from 0 (keep forever) to %d", MaxRetentionDays)
	}
	err := s.st.WithTx(ctx, func(ctx context.Context) error {
		old, err := s.Retention(ctx, tenantID)
		if err != nil {
			return err
		}
		ph := s.st.D.Placeholder
		now := s.st.D.Encode(datetimeAttr, s.clock().UTC().Truncate(time.Microsecond))
		_, err = s.st.Exec(ctx, `INSERT INTO audit_policy (tenant_id, retention_days, updated_at) VALUES (`+ph(1)+`, `+ph(2)+`, `+ph(3)+`)
			ON CONFLICT (tenant_id) DO UPDATE SET retention_days = excluded.retention_days, updated_at = excluded.updated_at`, tenantID, days, now)
		if err != nil {
			return err
		}
		return s.Event(ctx, Event{TenantID: tenantID, Action: ActionRetention,
			Details: map[string]any{"retention_days": change{Old: old, New: days}}})
	})
	if err != nil {
		return fmt.Errorf("audit: set retention: %w", err)
	}
	return nil
}

// PurgeResult says what a purge of one tenant removed.
type PurgeResult struct {
	TenantID   string
	Deleted    int64
	ThroughSeq int64 // the chain now starts after this entry (its new anchor)
}

// Purge deletes the tenant's entries older than its retention, as of now, in one transaction.
// It removes the oldest part of the chain — up to the last entry before the first one that is
// not yet expired — keeps the hash of the last entry it removed as the chain's anchor (so Verify
// still checks what remains), and records itself as an ActionPurge entry holding that anchor.
// A tenant without retention, or with nothing expired, is left alone (Deleted 0).
func (s *Service) Purge(ctx context.Context, tenantID string) (PurgeResult, error) {
	res := PurgeResult{TenantID: tenantID}
	days, err := s.Retention(ctx, tenantID)
	if err != nil || days == 0 {
		return res, err
	}
	cutoff := s.clock().UTC().Truncate(time.Microsecond).AddDate(0, 0, -days)
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		res.Deleted, res.ThroughSeq = 0, 0
		ph := s.st.D.Placeholder
		// Lock the head first: one purge (and no writer) at a time per tenant.
		var head, anchor int64
		err := s.st.DB(ctx).QueryRowContext(ctx, `UPDATE audit_head SET seq = seq WHERE tenant_id = `+ph(1)+` RETURNING seq, anchor_seq`, tenantID).Scan(&head, &anchor)
		if isNoRows(err) {
			return nil
		}
		if err != nil {
			return err
		}
		// Everything before the first entry that is still within retention.
		var keep sql.NullInt64
		err = s.st.DB(ctx).QueryRowContext(ctx, `SELECT MIN(seq) FROM audit_log WHERE tenant_id = `+ph(1)+` AND at >= `+ph(2),
			tenantID, s.st.D.Encode(datetimeAttr, cutoff)).Scan(&keep)
		if err != nil {
			return err
		}
		through := head
		if keep.Valid {
			through = keep.Int64 - 1
		}
		if through <= anchor {
			return nil
		}
		var anchorHash string
		err = s.st.DB(ctx).QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE tenant_id = `+ph(1)+` AND seq = `+ph(2), tenantID, through).Scan(&anchorHash)
		if err != nil {
			return fmt.Errorf("entry %d, the new anchor: %w", through, err)
		}
		r, err := s.st.Exec(ctx, `DELETE FROM audit_log WHERE tenant_id = `+ph(1)+` AND seq <= `+ph(2), tenantID, through)
		if err != nil {
			return err
		}
		res.Deleted, _ = r.RowsAffected()
		res.ThroughSeq = through
		if _, err := s.st.Exec(ctx, `UPDATE audit_head SET anchor_seq = `+ph(1)+`, anchor_hash = `+ph(2)+` WHERE tenant_id = `+ph(3),
			through, anchorHash, tenantID); err != nil {
			return err
		}
		return s.Event(ctx, Event{TenantID: tenantID, Action: ActionPurge, Details: map[string]any{
			"through_seq": through, "anchor_hash": anchorHash, "deleted": res.Deleted,
			"retention_days": days, "cutoff": cutoff.Format(timeFormat)}})
	})
	if err != nil {
		return res, fmt.Errorf("audit: purge tenant %s: %w", tenantID, err)
	}
	return res, nil
}

// PurgeExpired purges every tenant that has a retention policy and returns what it removed.
func (s *Service) PurgeExpired(ctx context.Context) ([]PurgeResult, error) {
	var tenants []string
	err := s.scan(ctx, `SELECT tenant_id FROM audit_policy WHERE retention_days > 0 ORDER BY tenant_id`, nil,
		func(v []any) { tenants = append(tenants, v[0].(string)) }, guidAttr)
	if err != nil {
		return nil, fmt.Errorf("audit: purge: %w", err)
	}
	var out []PurgeResult
	for _, t := range tenants {
		r, err := s.Purge(principal.With(ctx, principal.System(t)), t)
		if err != nil {
			return out, err
		}
		if r.Deleted > 0 {
			out = append(out, r)
		}
	}
	return out, nil
}

// RunRetention purges expired entries now and then every interval until ctx ends, logging what
// it did (the server's periodic job; several nodes may run it, purges of a tenant serialise).
func (s *Service) RunRetention(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		res, err := s.PurgeExpired(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("audit retention purge failed", "err", err)
		}
		for _, r := range res {
			log.Info("audit entries purged", "tenant", r.TenantID, "deleted", r.Deleted, "through_seq", r.ThroughSeq)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
