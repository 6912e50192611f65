package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Request connections under row-level security (PostgreSQL). Each authenticated request runs on
// a connection of the application role — neither the tables' owner nor a superuser, without
// BYPASSRLS — whose session names the request's tenant (SET meridian.tenant_id): every query of
// the request — reads, writes, transactions — is then filtered by the tenant policies as well
// as by the tenant predicate the records service writes into it, so a query that forgot the
// predicate still cannot reach another tenant. Migrations, schema changes, sign-in and
// background work run on the owner's connections.

type tenantConnKey struct{}

// tenantConn is the request connection in a context (nil: use the owner's pools).
type tenantConn struct {
	conn   *sql.Conn
	tenant string // the tenant its session names
}

func tenantConnFrom(ctx context.Context) *sql.Conn {
	if tc, ok := ctx.Value(tenantConnKey{}).(*tenantConn); ok && tc != nil {
		return tc.conn
	}
	return nil
}

// UseAppRole makes request connections log in as the owner and SET ROLE role, the role every
// tenant policy binds (PostgreSQL). The role must exist and be bound by the policies: neither a
// superuser, nor with BYPASSRLS, nor a member of the tables' owner; the server's login must be
// a member of it. It is granted what requests need (GrantAppRole).
func (s *Store) UseAppRole(ctx context.Context, dsn, role string) error {
	if s.D.Name() != "postgres" {
		return fmt.Errorf("store: an application role needs PostgreSQL (row-level security)")
	}
	if err := s.checkAppRole(ctx, role); err != nil {
		return err
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

// AppRole returns the role requests run as ("" when they run as the server's login).
func (s *Store) AppRole() string {
	if s.tenantPool == nil {
		return ""
	}
	return s.appRole
}

// checkAppRole refuses a role the tenant policies would not bind, or that the server's login
// cannot SET.
func (s *Store) checkAppRole(ctx context.Context, role string) error {
	var super, bypass, owner, member bool
	err := s.write.QueryRowContext(ctx, `SELECT r.rolsuper, r.rolbypassrls,
		pg_has_role(r.oid, (SELECT c.relowner FROM pg_class c WHERE c.relname = 'tenant'
			AND c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema())), 'MEMBER'),
		pg_has_role(current_user, r.oid, 'MEMBER')
		FROM pg_roles r WHERE r.rolname = $1`, role).Scan(&super, &bypass, &owner, &member)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("store: the application role %s does not exist", role)
	case err != nil:
		return fmt.Errorf("store: application role %s: %w", role, err)
	case super:
		return fmt.Errorf("store: the application role %s is a superuser: row-level security would not bind it", role)
	case bypass:
		return fmt.Errorf("store: the application role %s has BYPASSRLS: row-level security would not bind it", role)
	case owner:
		return fmt.Errorf("store: the application role %s is (a member of) the tables' owner: row-level security would not bind it", role)
	case !member:
		return fmt.Errorf("store: the server's login is not a member of the application role %s: GRANT %s TO <the server's login>", role, Quote(role))
	}
	return nil
}

// DefaultAppRole returns the name of the application role a server sets up for itself on its
// database: "<database>_meridian_app" (at most 63 bytes, PostgreSQL's limit).
func (s *Store) DefaultAppRole(ctx context.Context) (string, error) {
	var db string
	if err := s.write.QueryRowContext(ctx, `SELECT current_database()`).Scan(&db); err != nil {
		return "", fmt.Errorf("store: database name: %w", err)
	}
	const suffix = "_meridian_app"
	for len(db)+len(suffix) > 63 {
		_, size := utf8.DecodeLastRuneInString(db)
		db = db[:len(db)-size]
	}
	return db + suffix, nil
}

// EnsureAppRole creates role (NOLOGIN, NOBYPASSRLS) when it does not exist and makes the
// server's login a member of it, so that it can SET ROLE (PostgreSQL). Creating a role needs a
// superuser or CREATEROLE; an existing role needs nothing when the login is already a member.
func (s *Store) EnsureAppRole(ctx context.Context, role string) error {
	return s.WithTx(AsOwner(ctx), func(ctx context.Context) error {
		// Roles belong to the cluster; servers on the database take turns creating its role.
		if _, err := s.Exec(ctx, `SELECT pg_advisory_xact_lock(4242002, hashtext($1))`, role); err != nil {
			return fmt.Errorf("store: application role lock: %w", err)
		}
		var exists, member bool
		if err := s.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1),
			EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1 AND pg_has_role(current_user, oid, 'MEMBER'))`, role).Scan(&exists, &member); err != nil {
			return fmt.Errorf("store: application role %s: %w", role, err)
		}
		q := Quote(role)
		if !exists {
			if _, err := s.Exec(ctx, `CREATE ROLE `+q+` NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS`); err != nil {
				return fmt.Errorf("store: create the application role %s: %w", role, err)
			}
		}
		if !member {
			if _, err := s.Exec(ctx, `GRANT `+q+` TO CURRENT_USER`); err != nil {
				return fmt.Errorf("store: make the server's login a member of the application role %s: %w", role, err)
			}
		}
		return nil
	})
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
	return context.WithValue(ctx, tenantConnKey{}, &tenantConn{conn: c, tenant: tenant}), func() { c.Close() }, nil
}

// AsOwner returns ctx without its request connection, for the work only the tables' owner may
// do inside a request (schema changes).
func AsOwner(ctx context.Context) context.Context {
	if tenantConnFrom(ctx) == nil {
		return ctx
	}
	return context.WithValue(ctx, tenantConnKey{}, (*tenantConn)(nil))
}
