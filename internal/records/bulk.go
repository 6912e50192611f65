package records

import (
	"context"
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// CreateMany validates rows and inserts the valid ones of entity in one transaction, with the
// same guarantees as Create (versions, change log, counts, audit). Rows that fail validation are
// skipped and reported in rowErrs by index; a database error fails the whole call and writes
// nothing. It returns the ids of the inserted rows in order (empty for skipped rows).
func (s *Service) CreateMany(ctx context.Context, entity string, rows []Input) (ids []string, rowErrs map[int]error, err error) {
	p, e, err := s.writable(ctx, entity)
	if err != nil {
		return nil, nil, err
	}
	m := s.reg.Model()
	cols := e.Columns()
	names := []string{`"tenant_id"`}
	ph := []string{s.st.D.Placeholder(1)}
	for i, a := range cols {
		names = append(names, store.Quote(a.Name))
		ph = append(ph, s.st.D.Placeholder(i+2))
	}
	insertSQL := "INSERT INTO " + store.Quote(e.Name) + " (" + strings.Join(names, ", ") + ") VALUES (" + strings.Join(ph, ", ") + ")"
	logSQL := `INSERT INTO change_log (tenant_id, version, entity, record_id, op, changed_at, changed_by) VALUES (` +
		strings.Join([]string{s.st.D.Placeholder(1), s.st.D.Placeholder(2), s.st.D.Placeholder(3), s.st.D.Placeholder(4),
			"'c'", s.st.D.Placeholder(5), s.st.D.Placeholder(6)}, ", ") + `)`
	ids = make([]string, len(rows))
	rowErrs = map[int]error{}
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		if err := s.authorize(ctx, OpCreate, e, nil); err != nil {
			return err
		}
		valid := make([]map[string]any, len(rows))
		n := 0
		for i, in := range rows {
			vals, err := s.validNew(ctx, p, m, e, in)
			if err != nil {
				if _, ok := fault.As(err); !ok {
					return err
				}
				rowErrs[i] = err
				continue
			}
			valid[i] = vals
			n++
		}
		if n == 0 {
			return nil
		}
		// One block of versions for the whole batch.
		var last int64
		err := s.st.DB(ctx).QueryRowContext(ctx, `UPDATE tenant SET version = version + `+s.st.D.Placeholder(1)+
			` WHERE id = `+s.st.D.Placeholder(2)+` RETURNING version`, n, p.TenantID).Scan(&last)
		if err != nil {
			return fmt.Errorf("version: %w", err)
		}
		version := last - int64(n)
		ins, err := s.st.Prepare(ctx, insertSQL)
		if err != nil {
			return err
		}
		defer ins.Close()
		logStmt, err := s.st.Prepare(ctx, logSQL)
		if err != nil {
			return err
		}
		defer logStmt.Close()
		now := s.clock().UTC().Truncate(1000)
		nowEnc := s.st.D.Encode(&metadata.Attribute{Type: metadata.TypeDateTime}, now)
		args := make([]any, len(cols)+1)
		for i, vals := range valid {
			if vals == nil {
				continue
			}
			version++
			if err := s.stampNew(ctx, p, e, vals, version, now); err != nil {
				return err
			}
			args[0] = p.TenantID
			for j, a := range cols {
				args[j+1] = s.st.D.Encode(a, vals[a.Name])
			}
			if _, err := ins.ExecContext(ctx, args...); err != nil {
				return s.writeError(e, err)
			}
			id := vals["id"].(string)
			if _, err := logStmt.ExecContext(ctx, p.TenantID, version, e.Name, id, nowEnc, nullable(p.UserID)); err != nil {
				return err
			}
			if s.auditor != nil {
				if err := s.auditor.Audit(ctx, Change{Op: OpCreate, Entity: e, ID: id, Version: version, After: vals,
					TenantID: p.TenantID, UserID: p.UserID, At: now}); err != nil {
					return err
				}
			}
			ids[i] = id
		}
		return s.addCount(ctx, p.TenantID, e.Name, n)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("records: create many %s: %w", entity, err)
	}
	return ids, rowErrs, nil
}
