package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// BulkInsert writes rows (values already encoded for the dialect, aligned with cols) into table
// inside ctx's transaction, which it requires: COPY on PostgreSQL, multi-row INSERT statements on
// SQLite. It is for the records service's bulk path, which keeps versions and the change log.
func (s *Store) BulkInsert(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	conn := connFrom(ctx)
	if conn == nil {
		return fmt.Errorf("store: bulk insert into %s needs a transaction", table)
	}
	// COPY FROM refuses tables under row-level security for the roles the policies bind: on a
	// request's tenant connection, PostgreSQL takes multi-row INSERTs like SQLite.
	if s.D.Name() == "postgres" && tenantConnFrom(ctx) == nil {
		return conn.Raw(func(dc any) error {
			c, ok := dc.(*stdlib.Conn)
			if !ok {
				return fmt.Errorf("store: bulk insert: unexpected driver connection %T", dc)
			}
			_, err := c.Conn().CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
			return err
		})
	}
	// As many rows per statement as the parameter limit allows (at most 256).
	per := 32000 / len(cols)
	if per > 256 {
		per = 256
	}
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		q := multiInsert(table, cols, len(chunk))
		if s.D.Name() == "postgres" {
			q = numbered(q)
		}
		args := make([]any, 0, len(chunk)*len(cols))
		for _, r := range chunk {
			args = append(args, r...)
		}
		if _, err := s.Exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// multiInsert renders INSERT INTO table (cols) VALUES (?, …), (…) for n rows.
func multiInsert(table string, cols []string, n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(Quote(table))
	b.WriteString(" (")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(Quote(c))
	}
	// Anonymous "?" parameters: the SQLite driver resolves each numbered one by name, which is
	// quadratic in the number of parameters of a statement.
	b.WriteString(") VALUES ")
	for r := 0; r < n; r++ {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for i := range cols {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
	}
	return b.String()
}

// numbered turns the anonymous "?" parameters of a multi-row INSERT into PostgreSQL's $1, $2, ….
func numbered(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
