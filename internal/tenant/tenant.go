// Package tenant manages tenants: the isolated organisations that share a Meridian database.
// Every entity row carries its tenant's id; a request's tenant comes from its credentials.
package tenant

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/google/uuid"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store"
)

// Tenant is one organisation.
type Tenant struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Slug      string    `json:"slug"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	// Placement names the database the tenant's data lives in, when it is pinned to one of its
	// own (see app.Config.Placements); "" is the primary database.
	Placement string `json:"placement,omitempty"`
}

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// Create adds a tenant. Its id is chosen so that the key naming its own tables
// (metadata.TenantKey) is no other tenant's.
func Create(ctx context.Context, st *store.Store, name, slug string, now time.Time) (*Tenant, error) {
	all, err := List(ctx, st)
	if err != nil {
		return nil, err
	}
	taken := make(map[string]bool, len(all))
	for _, t := range all {
		taken[metadata.TenantKey(t.ID)] = true
	}
	id := uuid.Must(uuid.NewV7()).String()
	for taken[metadata.TenantKey(id)] {
		id = uuid.Must(uuid.NewV7()).String()
	}
	return Insert(ctx, st, &Tenant{ID: id, Name: name, Slug: slug, CreatedAt: now})
}

// Insert adds the tenant t (its id given: a pinned tenant has the same id in the directory and
// in its own database).
func Insert(ctx context.Context, st *store.Store, t *Tenant) (*Tenant, error) {
	name, slug := t.Name, t.Slug
	if name == "" {
		return nil, fault.Field("name", "required", "a tenant needs a name")
	}
	if !slugRE.MatchString(slug) {
		return nil, fault.Field("slug", "invalid_name", "slug %q must be 2–63 lower-case letters, digits or dashes", slug)
	}
	t = &Tenant{ID: t.ID, Name: name, Slug: slug, Status: Active, CreatedAt: t.CreatedAt.UTC().Truncate(time.Microsecond), Placement: t.Placement}
	ph := st.D.Placeholder
	_, err := st.Exec(ctx, `INSERT INTO tenant (id, name, slug, status, version, created_at, placement) VALUES (`+ph(1)+`, `+ph(2)+`, `+ph(3)+`, 'active', 0, `+ph(4)+`, `+ph(5)+`)`,
		t.ID, t.Name, t.Slug, st.D.Encode(&metadata.Attribute{Type: metadata.TypeDateTime}, t.CreatedAt), t.Placement)
	if err != nil {
		if st.D.IsUniqueViolation(err) {
			return nil, fault.Field("slug", "duplicate_name", "a tenant with slug %s exists", slug).WithKind(fault.Conflict)
		}
		return nil, fmt.Errorf("tenant: create: %w", err)
	}
	return t, nil
}

// List returns every tenant ordered by slug.
func List(ctx context.Context, st *store.Store) ([]*Tenant, error) {
	rows, err := st.DB(ctx).QueryContext(ctx, `SELECT id, name, slug, status, created_at, placement FROM tenant ORDER BY slug`)
	if err != nil {
		return nil, fmt.Errorf("tenant: list: %w", err)
	}
	defer rows.Close()
	var out []*Tenant
	for rows.Next() {
		var id, created any
		t := &Tenant{}
		if err := rows.Scan(&id, &t.Name, &t.Slug, &t.Status, &created, &t.Placement); err != nil {
			return nil, err
		}
		v, err := st.D.Decode(&metadata.Attribute{Name: "id", Type: metadata.TypeGUID}, id)
		if err != nil {
			return nil, err
		}
		t.ID = v.(string)
		c, err := st.D.Decode(&metadata.Attribute{Name: "created_at", Type: metadata.TypeDateTime}, created)
		if err != nil {
			return nil, err
		}
		t.CreatedAt = c.(time.Time)
		out = append(out, t)
	}
	return out, rows.Err()
}

// BySlug returns the tenant with slug.
func BySlug(ctx context.Context, st *store.Store, slug string) (*Tenant, error) {
	all, err := List(ctx, st)
	if err != nil {
		return nil, err
	}
	for _, t := range all {
		if t.Slug == slug {
			return t, nil
		}
	}
	return nil, fault.Newf(fault.NotFound, "unknown_tenant", "tenant %s does not exist", slug)
}

// Tenant statuses.
const (
	Active   = "active"
	Disabled = "disabled"
)

// SetStatus enables (active) or disables a tenant. A disabled tenant's users cannot sign in
// and its tokens and API keys stop working; its data stays untouched.
func SetStatus(ctx context.Context, st *store.Store, slug, status string) (*Tenant, error) {
	if status != Active && status != Disabled {
		return nil, fault.Field("status", "invalid_value", "status must be %s or %s", Active, Disabled)
	}
	t, err := BySlug(ctx, st, slug)
	if err != nil {
		return nil, err
	}
	err = st.WithTx(ctx, func(ctx context.Context) error {
		_, err := st.Exec(ctx, `UPDATE tenant SET status = `+st.D.Placeholder(1)+` WHERE id = `+st.D.Placeholder(2), status, t.ID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tenant: set status: %w", err)
	}
	t.Status = status
	return t, nil
}

// StatusOf returns the status of the tenant with id.
func StatusOf(ctx context.Context, st *store.Store, id string) (string, error) {
	var status string
	err := st.QueryRow(ctx, `SELECT status FROM tenant WHERE id = `+st.D.Placeholder(1), id).Scan(&status)
	if err != nil {
		return "", fmt.Errorf("tenant: status: %w", err)
	}
	return status, nil
}

// Remove deletes the directory row of tenant id (undoing a tenant creation that failed half-way).
func Remove(ctx context.Context, st *store.Store, id string) (bool, error) {
	var n int64
	err := st.WithTx(ctx, func(ctx context.Context) error {
		res, err := st.Exec(ctx, `DELETE FROM tenant WHERE id = `+st.D.Placeholder(1), id)
		if err == nil {
			n, err = res.RowsAffected()
		}
		return err
	})
	return n > 0, err
}
