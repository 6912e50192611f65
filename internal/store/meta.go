package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// SystemTenant is the tenant id under which the system definitions are stored.
const SystemTenant = "00000000-0000-0000-0000-000000000000"

// Kinds of stored definitions (meta_entity.kind, meta_relationship.kind).
const (
	KindSystem    = "system"    // shipped in the binary (SystemTenant)
	KindCustom    = "custom"    // a tenant's custom entity or relationship
	KindExtension = "extension" // a tenant's additions to a system entity (metadata.Extension)
	KindLegacy    = "legacy"    // a custom definition of a release whose metadata all tenants shared
)

type storedDef struct {
	name, kind, def string
}

// definitions reads the rows of table (meta_entity or meta_relationship) stored for tenant.
func (s *Store) definitions(ctx context.Context, table, tenant string) ([]storedDef, error) {
	rows, err := s.DB(ctx).QueryContext(ctx, `SELECT name, kind, definition FROM `+table+` WHERE tenant_id = `+s.D.Placeholder(1)+` ORDER BY name`, tenant)
	if err != nil {
		return nil, fmt.Errorf("store: read %s: %w", table, err)
	}
	defer rows.Close()
	var out []storedDef
	for rows.Next() {
		var d storedDef
		if err := rows.Scan(&d.name, &d.kind, &d.def); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// systemDefinitions reads the system definitions applied to this database, and the custom ones
// of a release whose metadata all tenants shared (kind legacy).
func (s *Store) systemDefinitions(ctx context.Context) (sys, legacy *metadata.Definitions, err error) {
	sys, legacy = &metadata.Definitions{}, &metadata.Definitions{}
	ents, err := s.definitions(ctx, "meta_entity", SystemTenant)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range ents {
		var e metadata.Entity
		if err := json.Unmarshal([]byte(d.def), &e); err != nil {
			return nil, nil, fmt.Errorf("store: stored definition of %s: %w", d.name, err)
		}
		e.Reindex()
		if d.kind == KindLegacy {
			legacy.Entities = append(legacy.Entities, &e)
		} else {
			sys.Entities = append(sys.Entities, &e)
		}
	}
	rels, err := s.definitions(ctx, "meta_relationship", SystemTenant)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range rels {
		var r metadata.ManyToMany
		if err := json.Unmarshal([]byte(d.def), &r); err != nil {
			return nil, nil, fmt.Errorf("store: stored definition of relationship %s: %w", d.name, err)
		}
		if d.kind == KindLegacy {
			legacy.Relationships = append(legacy.Relationships, &r)
		} else {
			sys.Relationships = append(sys.Relationships, &r)
		}
	}
	return sys, legacy, nil
}

// TenantDefinitions reads the definitions of tenant's own data model: its custom entities, its
// extensions of system entities and its custom relationships.
func (s *Store) TenantDefinitions(ctx context.Context, tenant string) (*metadata.TenantDefinitions, error) {
	out := &metadata.TenantDefinitions{}
	ents, err := s.definitions(ctx, "meta_entity", tenant)
	if err != nil {
		return nil, err
	}
	for _, d := range ents {
		switch d.kind {
		case KindCustom:
			var e metadata.Entity
			if err := json.Unmarshal([]byte(d.def), &e); err != nil {
				return nil, fmt.Errorf("store: stored definition of %s: %w", d.name, err)
			}
			e.Reindex()
			out.Entities = append(out.Entities, &e)
		case KindExtension:
			var x metadata.Extension
			if err := json.Unmarshal([]byte(d.def), &x); err != nil {
				return nil, fmt.Errorf("store: stored extension of %s: %w", d.name, err)
			}
			out.Extensions = append(out.Extensions, &x)
		}
	}
	rels, err := s.definitions(ctx, "meta_relationship", tenant)
	if err != nil {
		return nil, err
	}
	for _, d := range rels {
		var r metadata.ManyToMany
		if err := json.Unmarshal([]byte(d.def), &r); err != nil {
			return nil, fmt.Errorf("store: stored definition of relationship %s: %w", d.name, err)
		}
		out.Relationships = append(out.Relationships, &r)
	}
	return out, nil
}

// saveDefinition records a definition of tenant in table (call inside the transaction that
// changed its tables).
func (s *Store) saveDefinition(ctx context.Context, table, tenant, kind, name string, def any) error {
	raw, err := json.Marshal(def)
	if err != nil {
		return err
	}
	p := s.D.Placeholder
	_, err = s.Exec(ctx, `INSERT INTO `+table+` (tenant_id, name, kind, definition, modified_at) VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`, `+p(5)+`)
		ON CONFLICT (tenant_id, name) DO UPDATE SET kind = excluded.kind, definition = excluded.definition, modified_at = excluded.modified_at`,
		tenant, name, kind, string(raw), s.now())
	if err != nil {
		return fmt.Errorf("store: save definition of %s: %w", name, err)
	}
	return nil
}

func (s *Store) deleteDefinition(ctx context.Context, table, tenant, name string) error {
	_, err := s.Exec(ctx, `DELETE FROM `+table+` WHERE tenant_id = `+s.D.Placeholder(1)+` AND name = `+s.D.Placeholder(2), tenant, name)
	if err != nil {
		return fmt.Errorf("store: delete definition of %s: %w", name, err)
	}
	return nil
}

// SaveEntity records the definition of a custom entity of tenant.
func (s *Store) SaveEntity(ctx context.Context, tenant string, e *metadata.Entity) error {
	return s.saveDefinition(ctx, "meta_entity", tenant, KindCustom, e.Name, e)
}

// SaveExtension records tenant's extension of a system entity; an empty one is removed.
func (s *Store) SaveExtension(ctx context.Context, tenant string, x *metadata.Extension) error {
	if x.Empty() {
		return s.deleteDefinition(ctx, "meta_entity", tenant, x.Entity)
	}
	return s.saveDefinition(ctx, "meta_entity", tenant, KindExtension, x.Entity, x)
}

// DeleteEntity removes the definition of tenant's custom entity name.
func (s *Store) DeleteEntity(ctx context.Context, tenant, name string) error {
	return s.deleteDefinition(ctx, "meta_entity", tenant, name)
}

// SaveRelationship records the definition of a custom N:N relationship of tenant.
func (s *Store) SaveRelationship(ctx context.Context, tenant string, r *metadata.ManyToMany) error {
	return s.saveDefinition(ctx, "meta_relationship", tenant, KindCustom, r.Name, r)
}

// DeleteRelationship removes the definition of tenant's custom relationship name.
func (s *Store) DeleteRelationship(ctx context.Context, tenant, name string) error {
	return s.deleteDefinition(ctx, "meta_relationship", tenant, name)
}

// LockMetadata serialises metadata changes across the servers of the database until ctx's
// transaction ends (a PostgreSQL advisory lock; SQLite's one writer serialises them already).
// A schema change takes it before it reads the definitions it changes.
func (s *Store) LockMetadata(ctx context.Context) error {
	if s.D.Name() != "postgres" {
		return nil
	}
	if _, err := s.Exec(ctx, `SELECT pg_advisory_xact_lock(4242001, hashtext(current_schema()))`); err != nil {
		return fmt.Errorf("store: metadata lock: %w", err)
	}
	return nil
}

// MetadataChanged moves the metadata clock on and records that tenant's definitions changed at
// the new version, in ctx's transaction (after LockMetadata: versions commit in order).
func (s *Store) MetadataChanged(ctx context.Context, tenant string) (int64, error) {
	var v int64
	if err := s.DB(ctx).QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) + 1 FROM meta_change`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: metadata clock: %w", err)
	}
	p := s.D.Placeholder
	_, err := s.Exec(ctx, `INSERT INTO meta_change (tenant_id, version, changed_at) VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`)
		ON CONFLICT (tenant_id) DO UPDATE SET version = excluded.version, changed_at = excluded.changed_at`, tenant, v, s.now())
	if err != nil {
		return 0, fmt.Errorf("store: metadata clock: %w", err)
	}
	return v, nil
}

// MetadataChanges returns the metadata clock's version and the tenants whose definitions
// changed after version since (metadata.Source). It reads as the tables' owner: the clock is
// the installation's, not a tenant's.
func (s *Store) MetadataChanges(ctx context.Context, since int64) (int64, []string, error) {
	ctx = AsOwner(ctx)
	rows, err := s.DB(ctx).QueryContext(ctx, `SELECT tenant_id, version FROM meta_change WHERE version > `+s.D.Placeholder(1), since)
	if err != nil {
		return 0, nil, fmt.Errorf("store: metadata changes: %w", err)
	}
	defer rows.Close()
	guid := &metadata.Attribute{Name: "tenant_id", Type: metadata.TypeGUID}
	v := since
	var tenants []string
	for rows.Next() {
		var raw any
		var n int64
		if err := rows.Scan(&raw, &n); err != nil {
			return 0, nil, err
		}
		id, err := s.D.Decode(guid, raw)
		if err != nil {
			return 0, nil, err
		}
		tenants = append(tenants, id.(string))
		v = max(v, n)
	}
	return v, tenants, rows.Err()
}

func (s *Store) now() any {
	return s.D.Encode(&metadata.Attribute{Type: metadata.TypeDateTime}, time.Now())
}

// SyncSystem brings the tables of the system entities and relationships shipped in this binary
// up to date with their definitions, in one transaction, and returns the system model. A system
// change that would lose data fails. A database of a release whose custom definitions all
// tenants shared is first split into each tenant's own (splitLegacy); defaultTenant names the
// tenant that receives definitions whose author is unknown.
func (s *Store) SyncSystem(ctx context.Context, sys *metadata.Definitions, defaultTenant string) (*metadata.Model, error) {
	var model *metadata.Model
	err := s.WithTx(ctx, func(ctx context.Context) error {
		if err := s.LockMetadata(ctx); err != nil {
			return err
		}
		stored, legacy, err := s.systemDefinitions(ctx)
		if err != nil {
			return err
		}
		if stored, err = s.splitLegacy(ctx, sys, stored, legacy, defaultTenant); err != nil {
			return err
		}
		old := map[string]*metadata.Entity{}
		for _, e := range stored.Entities {
			old[e.Name] = e
		}
		oldRel := map[string]bool{}
		for _, r := range stored.Relationships {
			oldRel[r.Name] = true
		}
		// Tables first, union views after their members.
		ordered := make([]*metadata.Entity, 0, len(sys.Entities))
		for _, e := range sys.Entities {
			if !e.ReadOnly() {
				ordered = append(ordered, e)
			}
		}
		for _, e := range sys.Entities {
			if e.ReadOnly() {
				ordered = append(ordered, e)
			}
		}
		for _, e := range ordered {
			prev := old[e.Name]
			if prev != nil && sameDefinition(prev, e) {
				continue
			}
			acts, err := PlanEntity(s.D, "", prev, e)
			if err != nil {
				return fmt.Errorf("system entity %s: %w", e.Name, err)
			}
			if err := s.Apply(ctx, acts, false); err != nil {
				return fmt.Errorf("system entity %s: %w", e.Name, err)
			}
			if err := s.saveDefinition(ctx, "meta_entity", SystemTenant, KindSystem, e.Name, e); err != nil {
				return err
			}
		}
		for _, r := range sys.Relationships {
			if !oldRel[r.Name] {
				if err := s.Apply(ctx, PlanRelationship(s.D, r, false), false); err != nil {
					return fmt.Errorf("system relationship %s: %w", r.Name, err)
				}
			}
			if err := s.saveDefinition(ctx, "meta_relationship", SystemTenant, KindSystem, r.Name, r); err != nil {
				return err
			}
		}
		model = metadata.NewModel(sys.Entities, sys.Relationships)
		if err := s.EnsureIndexes(ctx, model); err != nil {
			return err
		}
		return s.SecureTenantTables(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("store: sync system metadata: %w", err)
	}
	return model, nil
}

func sameDefinition(a, b *metadata.Entity) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// RefreshStatistics updates the planner statistics of table after a bulk change, so that plans
// made for a small table are not kept for a large one. PostgreSQL runs ANALYZE; SQLite does
// nothing, because with sqlite_stat4 present it re-prepares every statement whose bound tenant id
// could change the plan, which costs more than the statistics save.
func (s *Store) RefreshStatistics(ctx context.Context, table string) error {
	if s.D.Name() != "postgres" {
		return nil
	}
	if _, err := s.Exec(ctx, "ANALYZE "+Quote(table)); err != nil {
		return fmt.Errorf("store: analyze %s: %w", table, err)
	}
	return nil
}
