package store

import (
	"context"
	"fmt"
	"regexp"
)

// addColumnIfNotExists matches ALTER TABLE t ADD COLUMN IF NOT EXISTS c …, after any leading
// comment lines. PostgreSQL runs it as it is; SQLite has no such clause.
var addColumnIfNotExists = regexp.MustCompile(`(?is)^((?:\s*--[^\n]*\n)*\s*ALTER\s+TABLE\s+"?(\w+)"?\s+ADD\s+COLUMN\s+)IF\s+NOT\s+EXISTS\s+("?(\w+)"?)`)

// portable adapts a migration statement to the dialect, so that migrations stay re-runnable on
// both: on SQLite, ADD COLUMN IF NOT EXISTS becomes a plain ADD COLUMN, skipped (skip is true)
// when the table has the column already.
func (s *Store) portable(ctx context.Context, stmt string) (out string, skip bool, err error) {
	m := addColumnIfNotExists.FindStringSubmatchIndex(stmt)
	if m == nil || s.D.Name() != "sqlite" {
		return stmt, false, nil
	}
	table, column := stmt[m[4]:m[5]], stmt[m[8]:m[9]]
	var n int
	if err := s.DB(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = ?2`, table, column).Scan(&n); err != nil {
		return "", false, fmt.Errorf("columns of %s: %w", table, err)
	}
	return stmt[:m[3]] + stmt[m[6]:], n > 0, nil
}
