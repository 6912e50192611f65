package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// Upgrading a database of a release whose custom definitions all tenants shared (before
// migration 20): custom entities were tables every tenant wrote into, custom attributes of
// system entities were columns of the shared tables, and labels and field security set on
// shipped attributes applied to every tenant. splitLegacy gives each definition to the tenants
// that own it and moves its data into their own tables, in the start-up transaction:
//
//   - the author of a definition is read from the audit trail's schema_change entries (the
//     tenant of the administrator who made it); where the trail does not tell (purged, or made
//     by a tool), the default tenant is the author;
//   - a tenant that holds data in a custom table or column owns its definition too, so that no
//     value is lost; owning a custom entity, relationship or lookup attribute brings the custom
//     entities it refers to;
//   - field security set on a shipped attribute goes to its author, or the default tenant;
//     labels changed on shipped attributes and entities go to the author the trail names (a
//     difference no administrator made comes from an earlier release's definitions and is
//     dropped).

// legacyAuthors is who made which custom definition, from the audit trail (the latest entry
// wins).
type legacyAuthors struct {
	entity, attr, changed, entityLabels, rel map[string]string
}

func (s *Store) readLegacyAuthors(ctx context.Context) (*legacyAuthors, error) {
	a := &legacyAuthors{entity: map[string]string{}, attr: map[string]string{}, changed: map[string]string{},
		entityLabels: map[string]string{}, rel: map[string]string{}}
	rows, err := s.DB(ctx).QueryContext(ctx, `SELECT tenant_id, changes FROM audit_log WHERE action = 'schema_change' AND entity = 'metadata' ORDER BY at, seq`)
	if err != nil {
		return nil, fmt.Errorf("store: schema changes in the audit trail: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var raw any
		var changes *string
		if err := rows.Scan(&raw, &changes); err != nil {
			return nil, err
		}
		tenant, err := s.decodeID(raw)
		if err != nil || changes == nil {
			continue
		}
		var c struct {
			Change       string   `json:"change"`
			Entity       string   `json:"entity"`
			Relationship string   `json:"relationship"`
			Added        []string `json:"attributes_added"`
			Changed      []string `json:"attributes_changed"`
			Removed      []string `json:"attributes_removed"`
		}
		if json.Unmarshal([]byte(*changes), &c) != nil {
			continue
		}
		switch c.Change {
		case "create_entity":
			a.entity[c.Entity] = tenant
		case "update_entity":
			for _, n := range c.Added {
				a.attr[c.Entity+"."+n] = tenant
			}
			for _, n := range c.Changed {
				a.changed[c.Entity+"."+n] = tenant
			}
			if len(c.Added)+len(c.Changed)+len(c.Removed) == 0 {
				a.entityLabels[c.Entity] = tenant
			}
		case "create_relationship":
			a.rel[c.Relationship] = tenant
		}
	}
	return a, rows.Err()
}

func (s *Store) decodeID(raw any) (string, error) {
	v, err := s.D.Decode(&metadata.Attribute{Name: "id", Type: metadata.TypeGUID}, raw)
	if err != nil {
		return "", err
	}
	id, _ := v.(string)
	return id, nil
}

// tenantsWithData returns the tenants having a row of table matching cond.
func (s *Store) tenantsWithData(ctx context.Context, table, cond string) ([]string, error) {
	q := `SELECT DISTINCT tenant_id FROM ` + Quote(table)
	if cond != "" {
		q += " WHERE " + cond
	}
	rows, err := s.DB(ctx).QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: tenants of %s: %w", table, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var raw any
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		id, err := s.decodeID(raw)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// legacyTenants returns the ids of the database's tenants and the default one: the tenant with
// slug defaultSlug, else the oldest.
func (s *Store) legacyTenants(ctx context.Context, defaultSlug string) (all map[string]bool, def string, err error) {
	rows, err := s.DB(ctx).QueryContext(ctx, `SELECT id, slug FROM tenant ORDER BY created_at, id`)
	if err != nil {
		return nil, "", fmt.Errorf("store: tenants: %w", err)
	}
	defer rows.Close()
	all = map[string]bool{}
	for rows.Next() {
		var raw any
		var slug string
		if err := rows.Scan(&raw, &slug); err != nil {
			return nil, "", err
		}
		id, err := s.decodeID(raw)
		if err != nil {
			return nil, "", err
		}
		if len(all) == 0 || slug == defaultSlug {
			def = id
		}
		all[id] = true
	}
	return all, def, rows.Err()
}

type owners map[string]map[string]bool // definition → tenant ids

func (o owners) add(def string, tenants ...string) bool {
	if o[def] == nil {
		o[def] = map[string]bool{}
	}
	grew := false
	for _, t := range tenants {
		if t != "" && !o[def][t] {
			o[def][t], grew = true, true
		}
	}
	return grew
}

func (o owners) of(def string) []string {
	out := make([]string, 0, len(o[def]))
	for t := range o[def] {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// splitLegacy gives the custom definitions of a release whose metadata all tenants shared to
// their tenants (see the comment at the top of this file) and returns the stored system
// definitions without what it took out of them.
func (s *Store) splitLegacy(ctx context.Context, shipped, stored, legacy *metadata.Definitions, defaultSlug string) (*metadata.Definitions, error) {
	shippedByName := map[string]*metadata.Entity{}
	for _, e := range shipped.Entities {
		shippedByName[e.Name] = e
	}
	// Custom attributes and changes to shipped attributes left in the stored system definitions.
	type sysExtra struct {
		e      *metadata.Entity // the stored definition
		custom []*metadata.Attribute
	}
	var extras []sysExtra
	labelled := false
	for _, e := range stored.Entities {
		x := sysExtra{e: e}
		for _, a := range e.Attributes {
			if a.Custom {
				x.custom = append(x.custom, a)
			}
		}
		if len(x.custom) > 0 {
			extras = append(extras, x)
		}
		if sh := shippedByName[e.Name]; sh != nil && !sameDefinition(withoutCustom(e), sh) {
			labelled = true
		}
	}
	if len(legacy.Entities) == 0 && len(legacy.Relationships) == 0 && len(extras) == 0 && !labelled {
		return stored, nil
	}
	authors, err := s.readLegacyAuthors(ctx)
	if err != nil {
		return nil, err
	}
	tenants, def, err := s.legacyTenants(ctx, defaultSlug)
	if err != nil {
		return nil, err
	}
	author := func(t string) string {
		if tenants[t] {
			return t
		}
		return def
	}
	own := owners{}
	legacyEnt := map[string]*metadata.Entity{}
	for _, e := range legacy.Entities {
		legacyEnt[e.Name] = e
		data, err := s.tenantsWithData(ctx, e.Name, "")
		if err != nil {
			return nil, err
		}
		own.add("entity:"+e.Name, append(data, author(authors.entity[e.Name]))...)
	}
	for _, x := range extras {
		for _, a := range x.custom {
			data, err := s.tenantsWithData(ctx, x.e.Name, Quote(a.Name)+" IS NOT NULL")
			if err != nil {
				return nil, err
			}
			own.add("attr:"+x.e.Name+"."+a.Name, append(data, author(authors.attr[x.e.Name+"."+a.Name]))...)
		}
	}
	for _, r := range legacy.Relationships {
		data, err := s.tenantsWithData(ctx, r.Name, "")
		if err != nil {
			return nil, err
		}
		own.add("rel:"+r.Name, append(data, author(authors.rel[r.Name]))...)
	}
	// Owning a definition brings the custom entities it refers to.
	for grew := true; grew; {
		grew = false
		bring := func(from string, targets ...string) {
			for _, t := range targets {
				if legacyEnt[t] != nil && own.add("entity:"+t, own.of(from)...) {
					grew = true
				}
			}
		}
		for _, e := range legacy.Entities {
			for _, a := range e.Lookups() {
				bring("entity:"+e.Name, a.Target)
			}
		}
		for _, x := range extras {
			for _, a := range x.custom {
				if a.Type == metadata.TypeLookup {
					bring("attr:"+x.e.Name+"."+a.Name, a.Target)
				}
			}
		}
		for _, r := range legacy.Relationships {
			bring("rel:"+r.Name, r.Entity1, r.Entity2)
		}
	}

	// Each tenant's definitions.
	defs := map[string]*metadata.TenantDefinitions{}
	tdefs := func(t string) *metadata.TenantDefinitions {
		if defs[t] == nil {
			defs[t] = &metadata.TenantDefinitions{}
		}
		return defs[t]
	}
	exts := map[string]map[string]*metadata.Extension{} // tenant → entity → extension
	ext := func(t, entity string) *metadata.Extension {
		if exts[t] == nil {
			exts[t] = map[string]*metadata.Extension{}
		}
		if exts[t][entity] == nil {
			exts[t][entity] = &metadata.Extension{Entity: entity}
			tdefs(t).Extensions = append(tdefs(t).Extensions, exts[t][entity])
		}
		return exts[t][entity]
	}
	for _, e := range legacy.Entities {
		for _, t := range own.of("entity:" + e.Name) {
			c := e.Clone()
			c.Custom = true
			tdefs(t).Entities = append(tdefs(t).Entities, c)
		}
	}
	for _, x := range extras {
		for _, a := range x.custom {
			for _, t := range own.of("attr:" + x.e.Name + "." + a.Name) {
				ac := *a
				ext(t, x.e.Name).Attributes = append(ext(t, x.e.Name).Attributes, &ac)
			}
		}
	}
	for _, r := range legacy.Relationships {
		for _, t := range own.of("rel:" + r.Name) {
			rc := *r
			tdefs(t).Relationships = append(tdefs(t).Relationships, &rc)
		}
	}
	for _, e := range stored.Entities {
		sh := shippedByName[e.Name]
		if sh == nil {
			continue
		}
		if t := authors.entityLabels[e.Name]; tenants[t] {
			if e.DisplayName != sh.DisplayName || e.PluralName != sh.PluralName || e.Description != sh.Description {
				x := ext(t, e.Name)
				dn, pn, desc := e.DisplayName, e.PluralName, e.Description
				x.DisplayName, x.PluralName, x.Description = &dn, &pn, &desc
			}
		}
		for _, a := range e.Attributes {
			sa := sh.Attr(a.Name)
			if a.Custom || sa == nil || sa.System {
				continue
			}
			by := authors.changed[e.Name+"."+a.Name]
			ch := &metadata.AttributeChange{}
			if a.Secured && !sa.Secured {
				yes := true
				ch.Secured = &yes
			}
			if tenants[by] && a.DisplayName != sa.DisplayName {
				l := a.DisplayName
				ch.DisplayName = &l
			}
			if tenants[by] && a.Description != sa.Description {
				d := a.Description
				ch.Description = &d
			}
			if ch.Empty() {
				continue
			}
			x := ext(author(by), e.Name)
			if x.Changes == nil {
				x.Changes = map[string]*metadata.AttributeChange{}
			}
			x.Changes[a.Name] = ch
		}
	}

	// Move the data into each tenant's own tables, then drop the shared ones.
	var bare []*metadata.Entity // the stored system definitions without what tenants added
	for _, e := range stored.Entities {
		bare = append(bare, withoutCustom(e))
	}
	sys := metadata.NewModel(bare, stored.Relationships)
	for _, t := range sortedKeys(defs) {
		d := defs[t]
		m := sys.ForTenant(t, d)
		for _, e := range d.Entities {
			te := m.Entity(e.Name)
			if err := s.Apply(ctx, planCreate(s.D, te), true); err != nil {
				return nil, fmt.Errorf("store: move %s of tenant %s: %w", e.Name, t, err)
			}
			if err := s.copyRows(ctx, e.Name, te.Table(), t, columnNames(te, false), ""); err != nil {
				return nil, err
			}
			if err := s.SaveEntity(ctx, t, e); err != nil {
				return nil, err
			}
		}
		for _, x := range d.Extensions {
			te := m.Entity(x.Entity)
			if te.ExtTable() != "" {
				stmts := []string{createExtTable(s.D, te, extColumns(s.D, te))}
				for _, ix := range indexes(te) {
					if ix.table == te.ExtTable() {
						stmts = append(stmts, createIndex(s.D, ix))
					}
				}
				if err := s.Apply(ctx, []Action{{Desc: "create extension table " + te.ExtTable(), SQL: stmts}}, true); err != nil {
					return nil, err
				}
				var any []string
				for _, a := range te.Attributes {
					if a.Ext {
						any = append(any, Quote(a.Name)+" IS NOT NULL")
					}
				}
				if err := s.copyRows(ctx, te.Name, te.ExtTable(), t, columnNames(te, true), "("+strings.Join(any, " OR ")+")"); err != nil {
					return nil, err
				}
			}
			if err := s.SaveExtension(ctx, t, x); err != nil {
				return nil, err
			}
		}
		for _, r := range d.Relationships {
			tr := m.Relationship(r.Name)
			if err := s.Apply(ctx, PlanRelationship(s.D, tr, false), true); err != nil {
				return nil, err
			}
			if err := s.copyRows(ctx, r.Name, tr.Table(), t, []string{"tenant_id", r.Col1(), r.Col2()}, ""); err != nil {
				return nil, err
			}
			if err := s.SaveRelationship(ctx, t, r); err != nil {
				return nil, err
			}
		}
		if _, err := s.MetadataChanged(ctx, t); err != nil {
			return nil, err
		}
	}
	for _, r := range legacy.Relationships {
		if _, err := s.Exec(ctx, "DROP TABLE "+Quote(r.Name)); err != nil {
			return nil, fmt.Errorf("store: drop shared relationship table %s: %w", r.Name, err)
		}
		if err := s.deleteDefinition(ctx, "meta_relationship", SystemTenant, r.Name); err != nil {
			return nil, err
		}
	}
	for _, e := range legacy.Entities {
		if _, err := s.Exec(ctx, "DROP TABLE "+Quote(e.Name)); err != nil {
			return nil, fmt.Errorf("store: drop shared table %s: %w", e.Name, err)
		}
		if err := s.deleteDefinition(ctx, "meta_entity", SystemTenant, e.Name); err != nil {
			return nil, err
		}
	}
	out := &metadata.Definitions{Relationships: stored.Relationships}
	for _, e := range stored.Entities {
		c := withoutCustom(e)
		for _, x := range extras {
			if x.e != e {
				continue
			}
			for _, ix := range indexes(e) {
				if !inCustom(ix.cols, x.custom) {
					continue
				}
				if _, err := s.Exec(ctx, "DROP INDEX IF EXISTS "+Quote(ix.name)); err != nil {
					return nil, fmt.Errorf("store: drop index %s: %w", ix.name, err)
				}
			}
			for _, a := range x.custom {
				cols := []string{a.Name}
				for _, comp := range a.Companions() {
					cols = append(cols, comp.Name)
				}
				for _, col := range cols {
					if _, err := s.Exec(ctx, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", Quote(e.Name), Quote(col))); err != nil {
						return nil, fmt.Errorf("store: drop shared column %s.%s: %w", e.Name, col, err)
					}
				}
			}
			if err := s.saveDefinition(ctx, "meta_entity", SystemTenant, KindSystem, c.Name, c); err != nil {
				return nil, err
			}
		}
		out.Entities = append(out.Entities, c)
	}
	return out, nil
}

// withoutCustom returns e without its custom attributes (e itself when it has none).
func withoutCustom(e *metadata.Entity) *metadata.Entity {
	var kept []*metadata.Attribute
	for _, a := range e.Attributes {
		if !a.Custom {
			kept = append(kept, a)
		}
	}
	if len(kept) == len(e.Attributes) {
		return e
	}
	c := e.Clone()
	c.Attributes = c.Attributes[:0]
	for _, a := range kept {
		ac := *a
		c.Attributes = append(c.Attributes, &ac)
	}
	c.Reindex()
	return c
}

// inCustom reports whether one of cols is one of attrs.
func inCustom(cols []string, attrs []*metadata.Attribute) bool {
	for _, c := range cols {
		for _, a := range attrs {
			if a.Name == c {
				return true
			}
		}
	}
	return false
}

// columnNames returns the columns of e's table (ext false) or of its extension table (ext true),
// tenant_id first.
func columnNames(e *metadata.Entity, ext bool) []string {
	out := []string{"tenant_id"}
	if ext {
		out = append(out, "id")
	}
	for _, a := range e.Columns() {
		if a.Ext == ext {
			out = append(out, a.Name)
		}
	}
	return out
}

// copyRows copies tenant's rows of table from into table to (the columns cols, with cond).
func (s *Store) copyRows(ctx context.Context, from, to, tenant string, cols []string, cond string) error {
	list := strings.Join(quoteAll(cols), ", ")
	q := "INSERT INTO " + Quote(to) + " (" + list + ") SELECT " + list + " FROM " + Quote(from) + ` WHERE "tenant_id" = ` + s.D.Placeholder(1)
	if cond != "" {
		q += " AND " + cond
	}
	if _, err := s.Exec(ctx, q, tenant); err != nil {
		return fmt.Errorf("store: copy %s to %s: %w", from, to, err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
