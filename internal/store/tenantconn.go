package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Request connections under row-level security (PostgreSQL, opt-in). When the server is given
// an application role (MERIDIAN_DB_APP_ROLE), each authenticated request runs on a connection
// of that role whose session names the request's tenant (SET meridian.tenant_id): every query
// of the request — reads, writes, transactions — is then filtered by the tenant policies as
// well as by the tenant predicate the records service writes into it, so a query that forgot
// the predicate still cannot reach another tenant. Migrations, schema changes, sign-in and
// background work run on the owner's connections.

type tenantConnKey struct{}

// tenantConn is the request connection in a context (nil: use the owner's pools).
type tenantConn struct{ conn *sql.Conn }

func tenantConnFrom(ctx context.Context) *sql.Conn {
	if tc, ok := ctx.Value(tenantConnKey{}).(*tenantConn); ok && tc != nil {
		return tc.conn
	}
	return nil
}

// UseAppRole makes request connections log in as the owner and SET ROLE role, the role every
// tenant policy binds (PostgreSQL). The role must exist; it is granted the schema's tables.
func (s *Store) UseAppRole(ctx context.Context, dsn, role string) error {
	if s.D.Name() != "postgres" {
		return fmt.Errorf("store: an application role needs PostgreSQL (row-level security)")
	}
	if err := s.GrantAppRole(ctx, role); err != nil {
		return err
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return fmt.Errorf("store: application role: %w", err)
	}
	set := "SET ROLE " + Quote(role)
	db := stdlib.OpenDB(*cfg, stdlib.OptionAfterConnect(func(ctx context.Context, c *pgx.Conn) error {
		_, err := c.Exec(ctx, set)
		return err
	}))
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return fmt.Errorf("store: application role %s: %w", role, err)
	}
	s.tenantPool = db
	return nil
}

// ForTenant returns ctx carrying a connection of the application role whose session is
// limited to tenant, and the function that gives it back; without an application role it
// returns ctx unchanged.
func (s *Store) ForTenant(ctx context.Context, tenant string) (context.Context, func(), error) {
	if s.tenantPool == nil || tenant == "" {
		return ctx, func() {}, nil
	}
	c, err := s.tenantPool.Conn(ctx)
	if err != nil {
		return ctx, func() {}, fmt.Errorf("store: tenant connection: %w", err)
	}
	// Set on every checkout: a connection never serves a request with another tenant's setting.
	if _, err := c.ExecContext(ctx, `SELECT set_config('`+TenantSetting+`', $1, false)`, tenant); err != nil {
		c.Close()
		return ctx, func() {}, fmt.Errorf("store: tenant connection: %w", err)
	}
	return context.WithValue(ctx, tenantConnKey{}, &tenantConn{conn: c}), func() { c.Close() }, nil
}

// AsOwner returns ctx without its request connection, for the work only the tables' owner may
// do inside a request (schema changes).
func AsOwner(ctx context.Context) context.Context {
	if tenantConnFrom(ctx) == nil {
		return ctx
	}
	return context.WithValue(ctx, tenantConnKey{}, (*tenantConn)(nil))
}
