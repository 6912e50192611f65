package records

import (
	"context"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/store"
)

// DerivedTables returns the tables hooks keep in step with entity's rows: a bulk writer that
// refreshes the planner statistics of the entity's table refreshes theirs too.
func (s *Service) DerivedTables(entity string) []string {
	var out []string
	for _, h := range s.hooksOf(entity) {
		for _, t := range h.Tables {
			if !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// RefreshStatistics refreshes the planner statistics of the tables of entities and of the tables
// hooks keep in step with them, after a bulk writer has grown them: without it PostgreSQL keeps
// planning a new tenant's rows from statistics taken when it had none, and a batch's lookup
// checks and key look-ups scan instead of using their indexes (nothing on SQLite; see
// store.RefreshStatistics).
func (s *Service) RefreshStatistics(ctx context.Context, entities ...string) error {
	m := s.reg.System()
	if p, err := caller(ctx); err == nil {
		if m, err = s.model(ctx, p); err != nil {
			return err
		}
	}
	for _, name := range entities {
		tables := s.DerivedTables(name)
		if e := m.Entity(name); e != nil {
			tables = append([]string{e.Table()}, tables...)
			if e.ExtTable() != "" {
				tables = append(tables, e.ExtTable())
			}
		}
		for _, t := range tables {
			if err := s.st.RefreshStatistics(ctx, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// UpdateDerived writes values derived from another change of the same write — a roll-up onto
// a parent record — to the record id of entity: in ctx's transaction, through the write path
// (version, change log, audit, the entity's React hooks), without asking for the caller's right
// to update it, as the change it derives from was authorized. derive gets the record's stored
// values and returns those to write; it returns none when the record already holds them.
// Nothing is written to a record that is gone or being deleted by this write. It reports
// whether it wrote.
func (s *Service) UpdateDerived(ctx context.Context, entity, id string, derive func(current map[string]any) map[string]any) (bool, error) {
	p, err := caller(ctx)
	if err != nil {
		return false, err
	}
	_, e, err := s.entity(ctx, p, entity)
	if err != nil {
		return false, err
	}
	if deleting(ctx, e.Name, id) {
		return false, nil
	}
	wrote := false
	err = s.st.WithTx(ctx, func(ctx context.Context) error { // joins the write's transaction
		cur, err := s.loadUnscoped(ctx, p, e, id)
		if fault.Is(err, fault.NotFound) {
			return nil // deleted with the records that roll up onto it
		}
		if err != nil {
			return err
		}
		vals := derive(cur)
		if len(vals) == 0 {
			return nil
		}
		_, err = s.write(ctx, p, e, cur, vals)
		wrote = err == nil
		return err
	})
	return wrote, err
}

// SumWhere adds up the decimal or money attribute attr of the records of entity whose
// attribute by equals value — all of them, whatever the caller may read (for a derived value
// such as a roll-up) — exactly (in Go: SQLite would sum decimals as floating point), and says
// how many there are.
func (s *Service) SumWhere(ctx context.Context, entity, attr, by, value string) (decimal.Decimal, int, error) {
	p, err := caller(ctx)
	if err != nil {
		return decimal.Zero, 0, err
	}
	_, e, err := s.entity(ctx, p, entity)
	if err != nil {
		return decimal.Zero, 0, err
	}
	a, key := e.Attr(attr), e.Attr(by)
	if a == nil || key == nil {
		return decimal.Zero, 0, fmt.Errorf("records: %s has no attribute %s or %s", entity, attr, by)
	}
	col := func(a *metadata.Attribute) string {
		if a.Ext {
			return `x.` + store.Quote(a.Name)
		}
		return `t.` + store.Quote(a.Name)
	}
	from := store.Quote(e.Table()) + ` t`
	if a.Ext || key.Ext {
		from += ` JOIN ` + store.Quote(e.ExtTable()) + ` x ON x."tenant_id" = t."tenant_id" AND x."id" = t."id"`
	}
	args := &store.Args{D: s.st.D}
	q := `SELECT ` + col(a) + ` FROM ` + from + ` WHERE t."tenant_id" = ` + args.Add(p.TenantID) +
		` AND ` + col(key) + ` = ` + args.Add(s.st.D.Encode(key, value))
	rows, err := s.st.DB(ctx).QueryContext(ctx, q, args.List...)
	if err != nil {
		return decimal.Zero, 0, fmt.Errorf("records: sum of %s.%s: %w", entity, attr, err)
	}
	defer rows.Close()
	sum, n := decimal.Zero, 0
	for rows.Next() {
		var raw any
		if err := rows.Scan(&raw); err != nil {
			return decimal.Zero, 0, err
		}
		v, err := s.st.D.Decode(a, raw)
		if err != nil {
			return decimal.Zero, 0, err
		}
		if d, ok := v.(decimal.Decimal); ok {
			sum = sum.Add(d)
		}
		n++
	}
	return sum, n, rows.Err()
}

// loadUnscoped reads a record for a derived write, whatever the caller may see.
func (s *Service) loadUnscoped(ctx context.Context, p principal.Principal, e *metadata.Entity, id string) (map[string]any, error) {
	return s.loadWith(ctx, p, e, id, false)
}
