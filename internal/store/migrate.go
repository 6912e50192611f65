package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migration is one numbered schema change of the fixed system tables.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the migrations of the dialect in order.
func Migrations(d Dialect) ([]Migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, "."+d.Name()+".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: migration file %s has no number", name)
		}
		body, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: strings.TrimSuffix(name, "."+d.Name()+".sql"), SQL: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	// Numbers are unique and increasing; a gap is allowed, because features developed in
	// parallel each reserve a number and land in any order (Migrate applies what is missing).
	for i, m := range out {
		if m.Version < 1 || (i > 0 && m.Version == out[i-1].Version) {
			return nil, fmt.Errorf("store: migration number %d is not positive or is used twice", m.Version)
		}
	}
	return out, nil
}

// Migrate applies every migration not yet recorded in schema_migration, each in its own
// transaction, and returns the versions applied.
func (s *Store) Migrate(ctx context.Context) ([]int, error) { return s.MigrateTo(ctx, 0) }

// MigrateTo applies the migrations up to version upTo (0: all of them) not yet recorded in
// schema_migration; tests use it to make the database an earlier release left.
func (s *Store) MigrateTo(ctx context.Context, upTo int) ([]int, error) {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	all, err := Migrations(s.D)
	if err != nil {
		return nil, err
	}
	current, err := s.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if latest := all[len(all)-1].Version; current > latest {
		return nil, fmt.Errorf("store: the database is at schema version %d but this binary knows only %d: upgrade Meridian", current, latest)
	}
	done, err := s.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	var applied []int
	for _, m := range all {
		if done[m.Version] || upTo > 0 && m.Version > upTo {
			continue
		}
		err := s.WithTx(ctx, func(ctx context.Context) error {
			for _, stmt := range SplitStatements(m.SQL) {
				stmt, skip, err := s.portable(ctx, stmt)
				if err != nil {
					return err
				}
				if skip {
					continue
				}
				if _, err := s.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", firstLine(stmt), err)
				}
			}
			_, err := s.Exec(ctx, `INSERT INTO schema_migration (version, name, applied_at) VALUES (`+s.D.Placeholder(1)+`, `+s.D.Placeholder(2)+`, `+s.D.Placeholder(3)+`)`,
				m.Version, m.Name, time.Now().UTC().Format(time.RFC3339))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("store: migration %d %s: %w", m.Version, m.Name, err)
		}
		applied = append(applied, m.Version)
	}
	return applied, nil
}

// appliedMigrations returns the versions recorded in schema_migration.
func (s *Store) appliedMigrations(ctx context.Context) (map[int]bool, error) {
	rows, err := s.write.QueryContext(ctx, `SELECT version FROM schema_migration`)
	if err != nil {
		return nil, fmt.Errorf("store: applied migrations: %w", err)
	}
	defer rows.Close()
	done := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		done[v] = true
	}
	return done, rows.Err()
}

// SchemaVersion returns the highest applied migration (0 for an empty database).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.write.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migration`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v, nil
}

// SplitStatements splits an SQL script on semicolons that end a line.
func SplitStatements(script string) []string {
	var out []string
	for _, part := range strings.Split(script, ";\n") {
		if p := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(part), ";")); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}
