package search

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/meridian-crm/meridian/internal/store"
)

// CatchUpAll catches up every tenant of the database whose change log is ahead of the index,
// and returns how many records were (re)indexed or removed.
func (x *Index) CatchUpAll(ctx context.Context) (int, error) {
	ctx = store.AsOwner(ctx)
	rows, err := x.st.Query(ctx, `SELECT t.id FROM tenant t LEFT JOIN search_cursor c ON c.tenant_id = t.id`+
		` WHERE c.version IS NULL OR c.version < t.version ORDER BY t.id`)
	if err != nil {
		return 0, fmt.Errorf("search: tenants: %w", err)
	}
	var tenants []string
	for rows.Next() {
		var raw any
		if err := rows.Scan(&raw); err != nil {
			rows.Close()
			return 0, err
		}
		tenants = append(tenants, idText(raw))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	total := 0
	for _, t := range tenants {
		n, err := x.CatchUp(ctx, t)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Run keeps the index caught up in the background, every interval, until ctx ends; searches
// also catch up before answering, so this only keeps them cheap.
func (x *Index) Run(ctx context.Context, every time.Duration, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := x.CatchUpAll(ctx); err != nil && ctx.Err() == nil {
			log.Error("search index catch-up failed", "err", err)
		} else if n > 0 {
			log.Debug("search index caught up", "records", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
