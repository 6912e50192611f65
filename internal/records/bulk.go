package records

import (
	"context"
	"fmt"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// CreateMany validates rows and inserts the valid ones of entity in one transaction, with the
// same guarantees as Create (versions, change log, counts, audit). Rows that fail validation are
// skipped and reported in rowErrs by index; a database error fails the whole call and writes
// nothing. It returns the ids of the inserted rows in order (empty for skipped rows).
func (s *Service) CreateMany(ctx context.Context, entity string, rows []Input) (ids []string, rowErrs map[int]error, err error) {
	p, m, e, err := s.writable(ctx, entity)
	if err != nil {
		return nil, nil, err
	}
	// The shared (or own) table's columns, and those of the tenant's extension table.
	var cols, extCols []*metadata.Attribute
	for _, a := range e.Columns() {
		if a.Ext {
			extCols = append(extCols, a)
		} else {
			cols = append(cols, a)
		}
	}
	names := make([]string, 0, len(cols)+1)
	names = append(names, "tenant_id")
	for _, a := range cols {
		names = append(names, a.Name)
	}
	extNames := []string{"tenant_id", "id"}
	for _, a := range extCols {
		extNames = append(extNames, a.Name)
	}
	ids = make([]string, len(rows))
	rowErrs = map[int]error{}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.authorize(ctx, OpCreate, e, nil); err != nil {
			return err
		}
		valid := make([]map[string]any, len(rows))
		n := 0
		for i, in := range rows {
			vals, err := s.prepare(ctx, m, e, in, nil)
			if err != nil {
				if _, ok := fault.As(err); !ok {
					return err
				}
				rowErrs[i] = err
				continue
			}
			if err := s.derive(ctx, e, vals, nil); err != nil {
				if _, ok := fault.As(err); !ok {
					return err
				}
				rowErrs[i] = err
				continue
			}
			valid[i] = vals
		}
		missing, err := s.checkLookupsMany(ctx, m, e, p.TenantID, valid)
		if err != nil {
			return err
		}
		for i, f := range missing {
			if f != nil {
				rowErrs[i], valid[i] = f, nil
			} else if valid[i] != nil {
				n++
			}
		}
		if n == 0 {
			return nil
		}
		// One block of versions for the whole batch.
		var last int64
		err = s.st.DB(ctx).QueryRowContext(ctx, `UPDATE tenant SET version = version + `+s.st.D.Placeholder(1)+
			` WHERE id = `+s.st.D.Placeholder(2)+` RETURNING version`, n, p.TenantID).Scan(&last)
		if err != nil {
			return fmt.Errorf("version: %w", err)
		}
		first := last - int64(n) + 1
		version := first - 1
		now := s.clock().UTC().Truncate(1000)
		d := s.st.D
		guid := &metadata.Attribute{Type: metadata.TypeGUID}
		tenant := d.BulkValue(guid, p.TenantID)
		data := make([][]any, 0, n)
		var extData [][]any
		ownerGiven := make([]bool, len(valid))
		for i, vals := range valid {
			if vals == nil {
				continue
			}
			version++
			_, ownerGiven[i] = vals["owner_id"]
			if err := s.stampNew(ctx, p, e, vals, version, now); err != nil {
				return err
			}
			row := make([]any, len(cols)+1)
			row[0] = tenant
			for j, a := range cols {
				row[j+1] = d.BulkValue(a, vals[a.Name])
			}
			data = append(data, row)
			ids[i] = vals["id"].(string)
			if xr := extRow(d, tenant, row[1], extCols, vals); xr != nil {
				extData = append(extData, xr)
			}
		}
		cs := make([]Change, 0, n)
		for i, vals := range valid {
			if vals == nil {
				continue
			}
			cs = append(cs, Change{Op: OpCreate, Entity: e, ID: ids[i], Version: vals["version"].(int64), After: vals,
				TenantID: p.TenantID, UserID: p.UserID, At: now, OwnerGiven: ownerGiven[i]})
		}
		// The reactions' CPU work runs while the rows are inserted.
		st, err := s.stage(ctx, cs)
		if err != nil {
			return err
		}
		defer st.wait() //nolint:errcheck // an error is returned by changedMany below
		if err := s.st.BulkInsert(ctx, e.Table(), names, data); err != nil {
			return s.writeError(e, err)
		}
		if err := s.st.BulkInsert(ctx, e.ExtTable(), extNames, extData); err != nil {
			return s.writeError(e, err)
		}
		if err := s.logCreated(ctx, e, tenant, first, last); err != nil {
			return err
		}
		if err := s.changedMany(ctx, cs, st); err != nil {
			return err
		}
		return s.addCount(ctx, p.TenantID, e, n)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("records: create many %s: %w", entity, err)
	}
	return ids, rowErrs, nil
}

// logCreated writes the change log of the records a bulk create just inserted, whose versions are
// first to last: copied from their rows inside the database (by the entity's version index), so
// that the log's rows are neither built nor sent by the server.
func (s *Service) logCreated(ctx context.Context, e *metadata.Entity, tenant any, first, last int64) error {
	if _, err := s.st.Exec(ctx, CreatedLogCopy(s.st.D, e), e.Name, tenant, first, last); err != nil {
		return fmt.Errorf("change log: %w", err)
	}
	return nil
}

// CreatedLogCopy is the statement that writes the change log of records of e just created in one
// block of versions, from their rows; its arguments are e's name, the tenant and the block's first
// and last versions. A created record's change is its creation: its created_at and created_by
// are the change's time and author. (The import benchmark's floor runs it too.)
func CreatedLogCopy(d store.Dialect, e *metadata.Entity) string {
	ph := d.Placeholder
	return `INSERT INTO change_log (tenant_id, version, entity, record_id, op, changed_at, changed_by) ` +
		`SELECT tenant_id, version, ` + ph(1) + `, id, 'c', created_at, created_by FROM ` + store.Quote(e.Table()) +
		` WHERE tenant_id = ` + ph(2) + ` AND version BETWEEN ` + ph(3) + ` AND ` + ph(4)
}

// extRow returns the row of a new record's extension attributes (cols) for its extension table,
// or nil when it has no value in any of them. id is the record's id as BulkValue made it.
func extRow(d store.Dialect, tenant, id any, cols []*metadata.Attribute, vals map[string]any) []any {
	var row []any
	for j, a := range cols {
		v := vals[a.Name]
		if v == nil {
			continue
		}
		if row == nil {
			row = make([]any, len(cols)+2)
			row[0], row[1] = tenant, id
		}
		row[j+2] = d.BulkValue(a, v)
	}
	return row
}
