package store

import (
	"context"
	"fmt"
	"strings"
)

// Under a tenant policy PostgreSQL uses a query's condition on an index only when the
// condition's function is leakproof (probe.go). The comparisons of integers, floats, text,
// booleans, dates, times and uuids are; those of numeric — Meridian's decimal and money
// attributes — are not, so a $filter such as revenue ge 1000 read every row of the tenant
// instead of a range of ix_account_revenue. They cannot leak: they compare any two numeric
// values (NaN and infinities included) without raising an error or any other effect, so the
// server marks them leakproof in its database when its login may (a superuser), and otherwise
// says which statement a superuser runs once.

// numericComparisons are the numeric comparison functions, the B-tree operator class's
// operators and its support function.
var numericComparisons = []string{
	"numeric_eq(numeric,numeric)", "numeric_ne(numeric,numeric)",
	"numeric_lt(numeric,numeric)", "numeric_le(numeric,numeric)",
	"numeric_gt(numeric,numeric)", "numeric_ge(numeric,numeric)",
	"numeric_cmp(numeric,numeric)",
}

// LeakproofStatements are the statements that mark the numeric comparisons leakproof, for a
// superuser to run in the server's database.
func LeakproofStatements() string {
	var b strings.Builder
	for _, f := range numericComparisons {
		b.WriteString("ALTER FUNCTION pg_catalog." + f + " LEAKPROOF; ")
	}
	return strings.TrimSpace(b.String())
}

// MarkNumericLeakproof marks the numeric comparison functions leakproof in the database where
// they are not and the server's login is a superuser (PostgreSQL; nothing on SQLite). It returns
// those that stay not leakproof: the login may not mark them.
func (s *Store) MarkNumericLeakproof(ctx context.Context) ([]string, error) {
	if s.D.Name() != "postgres" {
		return nil, nil
	}
	var missing []string
	err := s.WithTx(AsOwner(ctx), func(ctx context.Context) error {
		// Servers starting together take turns: concurrent updates of one pg_proc row fail.
		if _, err := s.Exec(ctx, `SELECT pg_advisory_xact_lock(4242003)`); err != nil {
			return fmt.Errorf("store: leakproof comparisons: %w", err)
		}
		var super bool
		if err := s.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = current_user`).Scan(&super); err != nil {
			return fmt.Errorf("store: leakproof comparisons: %w", err)
		}
		not, err := s.QueryStrings(ctx, `SELECT f FROM unnest($1::text[]) f JOIN pg_proc p ON p.oid = ('pg_catalog.' || f)::regprocedure
			WHERE NOT p.proleakproof ORDER BY f`, numericComparisons)
		if err != nil {
			return fmt.Errorf("store: leakproof comparisons: %w", err)
		}
		if !super {
			missing = not
			return nil
		}
		for _, f := range not {
			if _, err := s.Exec(ctx, `ALTER FUNCTION pg_catalog.`+f+` LEAKPROOF`); err != nil {
				return fmt.Errorf("store: mark %s leakproof: %w", f, err)
			}
		}
		return nil
	})
	return missing, err
}
