package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/meridian-crm/meridian/internal/store"
)

// AppRoleOff is the value of MERIDIAN_DB_APP_ROLE that runs requests as the server's login,
// outside row-level security (development only).
const AppRoleOff = "off"

// useAppRole puts requests behind row-level security on PostgreSQL: each request's connection
// runs as the application role — MERIDIAN_DB_APP_ROLE when it names one, else the role the
// server sets up itself ("<database>_meridian_app", created when missing) — limited to its
// tenant. A server that cannot set the role up refuses to start, saying what to change; only
// MERIDIAN_DB_APP_ROLE=off runs requests as the server's login. SQLite has no roles: nothing
// to do.
func useAppRole(ctx context.Context, c Config, st *store.Store, log *slog.Logger) error {
	if st.D.Name() != "postgres" {
		return nil
	}
	if c.DBAppRole == AppRoleOff {
		log.Warn("requests run as the server's login: PostgreSQL row-level security does not apply to them (MERIDIAN_DB_APP_ROLE=off; development only)", "db", st.URL)
		return nil
	}
	role := c.DBAppRole
	if role == "" {
		var err error
		if role, err = st.DefaultAppRole(ctx); err != nil {
			return err
		}
		if err := st.EnsureAppRole(ctx, role); err != nil {
			return appRoleError(ctx, st, role, err)
		}
	}
	if err := st.UseAppRole(ctx, c.DB, role); err != nil {
		return appRoleError(ctx, st, role, err)
	}
	missing, err := st.MarkNumericLeakproof(ctx)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		log.Warn("filters comparing decimal and money fields cannot use their indexes under row-level security: "+
			"PostgreSQL does not count the numeric comparisons leakproof, and the server's login may not mark them (a superuser may, once, in this database)",
			"functions", missing, "sql", store.LeakproofStatements())
	}
	return nil
}

// appRoleError explains a role the server cannot use, and the settings that fix it.
func appRoleError(ctx context.Context, st *store.Store, role string, err error) error {
	login := "<the server's login>"
	var name string
	if st.Raw().QueryRowContext(ctx, `SELECT current_user`).Scan(&name) == nil {
		login = store.Quote(name)
	}
	q := store.Quote(role)
	return fmt.Errorf("requests run under row-level security as the PostgreSQL role %s, which the server cannot use: %w. "+
		"Create it once as a superuser (CREATE ROLE %s NOLOGIN NOBYPASSRLS; GRANT %s TO %s), "+
		"or name another such role with MERIDIAN_DB_APP_ROLE, "+
		"or set MERIDIAN_DB_APP_ROLE=off to run requests as the server's login (development only: no row-level security)", q, err, q, q, login)
}
