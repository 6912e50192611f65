package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// LoadDefinitions reads the definitions applied to this database (system and custom).
func (s *Store) LoadDefinitions(ctx context.Context) (*metadata.Definitions, error) {
	d := &metadata.Definitions{}
	rows, err := s.DB(ctx).QueryContext(ctx, `SELECT definition FROM meta_entity ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: load entities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var e metadata.Entity
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return nil, fmt.Errorf("store: stored entity definition: %w", err)
		}
		e.Reindex()
		d.Entities = append(d.Entities, &e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rrows, err := s.DB(ctx).QueryContext(ctx, `SELECT definition FROM meta_relationship ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: load relationships: %w", err)
	}
	defer rrows.Close()
	for rrows.Next() {
		var raw string
		if err := rrows.Scan(&raw); err != nil {
			return nil, err
		}
		var r metadata.ManyToMany
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			return nil, fmt.Errorf("store: stored relationship definition: %w", err)
		}
		d.Relationships = append(d.Relationships, &r)
	}
	return d, rrows.Err()
}

// SaveEntity records e's definition (call inside the transaction that changed its table).
func (s *Store) SaveEntity(ctx context.Context, e *metadata.Entity) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	p := s.D.Placeholder
	_, err = s.Exec(ctx, `INSERT INTO meta_entity (name, custom, definition, modified_at) VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`)
		ON CONFLICT (name) DO UPDATE SET custom = excluded.custom, definition = excluded.definition, modified_at = excluded.modified_at`,
		e.Name, s.D.Encode(&metadata.Attribute{Type: metadata.TypeBoolean}, e.Custom), string(raw), s.now())
	if err != nil {
		return fmt.Errorf("store: save entity %s: %w", e.Name, err)
	}
	return nil
}

// DeleteEntity removes e's definition row.
func (s *Store) DeleteEntity(ctx context.Context, name string) error {
	_, err := s.Exec(ctx, `DELETE FROM meta_entity WHERE name = `+s.D.Placeholder(1), name)
	return err
}

// SaveRelationship records r's definition.
func (s *Store) SaveRelationship(ctx context.Context, r *metadata.ManyToMany) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	p := s.D.Placeholder
	_, err = s.Exec(ctx, `INSERT INTO meta_relationship (name, custom, definition, modified_at) VALUES (`+p(1)+`, `+p(2)+`, `+p(3)+`, `+p(4)+`)
		ON CONFLICT (name) DO UPDATE SET custom = excluded.custom, definition = excluded.definition, modified_at = excluded.modified_at`,
		r.Name, s.D.Encode(&metadata.Attribute{Type: metadata.TypeBoolean}, r.Custom), string(raw), s.now())
	return err
}

// DeleteRelationship removes r's definition row.
func (s *Store) DeleteRelationship(ctx context.Context, name string) error {
	_, err := s.Exec(ctx, `DELETE FROM meta_relationship WHERE name = `+s.D.Placeholder(1), name)
	return err
}

func (s *Store) now() any {
	return s.D.Encode(&metadata.Attribute{Type: metadata.TypeDateTime}, time.Now())
}

// SyncSystem brings the tables of the system entities and relationships shipped in this binary
// up to date with their definitions, in one transaction, and returns the resulting model
// (system plus stored custom definitions). A system change that would lose data fails.
func (s *Store) SyncSystem(ctx context.Context, sys *metadata.Definitions) (*metadata.Model, error) {
	var model *metadata.Model
	err := s.WithTx(ctx, func(ctx context.Context) error {
		stored, err := s.LoadDefinitions(ctx)
		if err != nil {
			return err
		}
		old := map[string]*metadata.Entity{}
		for _, e := range stored.Entities {
			old[e.Name] = e
		}
		oldRel := map[string]*metadata.ManyToMany{}
		for _, r := range stored.Relationships {
			oldRel[r.Name] = r
		}
		entities := map[string]*metadata.Entity{}
		for _, e := range stored.Entities {
			if e.Custom {
				entities[e.Name] = e
			}
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
			if prev != nil {
				e = withCustomAttributes(e, prev)
			}
			entities[e.Name] = e
			if prev != nil && sameDefinition(prev, e) {
				continue
			}
			acts, err := PlanEntity(s.D, prev, e)
			if err != nil {
				return fmt.Errorf("system entity %s: %w", e.Name, err)
			}
			if err := s.Apply(ctx, acts, false); err != nil {
				return fmt.Errorf("system entity %s: %w", e.Name, err)
			}
			if err := s.SaveEntity(ctx, e); err != nil {
				return err
			}
		}
		rels := map[string]*metadata.ManyToMany{}
		for _, r := range stored.Relationships {
			if r.Custom {
				rels[r.Name] = r
			}
		}
		for _, r := range sys.Relationships {
			rels[r.Name] = r
			if oldRel[r.Name] == nil {
				if err := s.Apply(ctx, PlanRelationship(s.D, r, false), false); err != nil {
					return fmt.Errorf("system relationship %s: %w", r.Name, err)
				}
			}
			if err := s.SaveRelationship(ctx, r); err != nil {
				return err
			}
		}
		var ents []*metadata.Entity
		for _, e := range entities {
			ents = append(ents, e)
		}
		var rl []*metadata.ManyToMany
		for _, r := range rels {
			rl = append(rl, r)
		}
		model = metadata.NewModel(ents, rl)
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

// withCustomAttributes returns the shipped definition e extended with the attributes that were
// added at run time to the stored definition prev, and with the field-level security an
// administrator put on its shipped attributes (a release must not lift it).
func withCustomAttributes(e, prev *metadata.Entity) *metadata.Entity {
	var extra []*metadata.Attribute
	var secured []string
	for _, a := range prev.Attributes {
		if a.Custom && e.Attr(a.Name) == nil {
			extra = append(extra, a)
		}
		if s := e.Attr(a.Name); s != nil && !a.Custom && a.Secured && !s.Secured {
			secured = append(secured, a.Name)
		}
	}
	if len(extra) == 0 && len(secured) == 0 {
		return e
	}
	c := e.Clone()
	c.Attributes = append(c.Attributes, extra...)
	c.Reindex()
	for _, name := range secured {
		c.Attr(name).Secured = true
	}
	return c
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
