package store

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
)

// Action is one step of a schema change, planned from the difference between two definitions.
type Action struct {
	Desc string
	SQL  []string
	// Guard, when set, is a query returning the number of rows the action would lose or break;
	// a non-zero count refuses the change unless it is forced.
	Guard      string
	GuardArgs  []any
	GuardError *fault.Error
	// createsIndex and dropsIndex name the index the action creates or drops on table onTable
	// (SharedIndexes uses them: an index on a shared table may serve several tenants).
	createsIndex, dropsIndex, onTable string
}

// systemColumns returns the column definitions shared by every entity table.
func systemColumns(d Dialect) []string {
	id := d.ColumnType(&metadata.Attribute{Type: metadata.TypeGUID})
	ts := d.ColumnType(&metadata.Attribute{Type: metadata.TypeDateTime})
	i64 := d.ColumnType(&metadata.Attribute{Type: metadata.TypeInteger})
	return []string{
		`"tenant_id" ` + id + ` NOT NULL`,
		`"id" ` + id + ` NOT NULL`,
		`"version" ` + i64 + ` NOT NULL`,
		`"created_at" ` + ts + ` NOT NULL`,
		`"modified_at" ` + ts + ` NOT NULL`,
		`"created_by" ` + id,
		`"modified_by" ` + id,
		`"owner_id" ` + id,
	}
}

// attributeColumns returns "name type" for an attribute and its companions.
func attributeColumns(d Dialect, a *metadata.Attribute) []string {
	out := []string{Quote(a.Name) + " " + d.ColumnType(a)}
	for _, c := range a.Companions() {
		out = append(out, Quote(c.Name)+" "+d.ColumnType(c))
	}
	return out
}

// IndexName returns a stable index name within the 63-byte identifier limit of PostgreSQL.
func IndexName(prefix, table string, cols ...string) string {
	n := prefix + "_" + table + "_" + strings.Join(cols, "_")
	if len(n) <= 63 {
		return n
	}
	h := sha1.Sum([]byte(n))
	return n[:50] + "_" + hex.EncodeToString(h[:6])
}

type index struct {
	name   string
	table  string
	unique bool
	cols   []string
}

// indexes lists the indexes an entity's tables should have besides their primary keys: the
// shared or own table's, and the extension table's for the attributes a tenant added.
func indexes(e *metadata.Entity) []index {
	base := e.Table()
	out := []index{{name: IndexName("ix", base, "version"), table: base, cols: []string{"version"}}}
	seen := map[string]bool{}
	add := func(ix index) {
		if !seen[ix.name] {
			seen[ix.name] = true
			out = append(out, ix)
		}
	}
	for _, k := range e.AlternateKeys {
		add(index{name: IndexName("ak", base, k.Name), table: base, unique: true, cols: k.Attributes})
	}
	for _, a := range e.Attributes {
		t := base
		if a.Ext {
			t = e.ExtTable()
		}
		switch {
		case a.Unique:
			add(index{name: IndexName("uq", t, a.Name), table: t, unique: true, cols: []string{a.Name}})
		case a.Type == metadata.TypeLookup, a.Indexed, a.Name == e.PrimaryName:
			add(index{name: IndexName("ix", t, a.Name), table: t, cols: []string{a.Name}})
		}
	}
	if !e.OrganizationOwned() {
		// "My records" and the security model's user and business-unit depths select by owner.
		add(index{name: IndexName("ix", base, "owner_id"), table: base, cols: []string{"owner_id"}})
	}
	return out
}

// IndexNames returns the names of the indexes of e's tables, by table.
func IndexNames(e *metadata.Entity) map[string][]string {
	out := map[string][]string{}
	for _, ix := range indexes(e) {
		out[ix.table] = append(out[ix.table], ix.name)
	}
	return out
}

// EnsureIndexes creates the indexes the model's tables should have and lack — those a newer
// release adds to existing tables (CREATE INDEX IF NOT EXISTS; a no-op when they exist).
func (s *Store) EnsureIndexes(ctx context.Context, m *metadata.Model) error {
	for _, e := range m.Entities() {
		if e.ReadOnly() {
			continue
		}
		for _, ix := range indexes(e) {
			q := strings.Replace(createIndex(s.D, ix), "INDEX ", "INDEX IF NOT EXISTS ", 1)
			if _, err := s.Exec(ctx, q); err != nil {
				return fmt.Errorf("store: index %s: %w", ix.name, err)
			}
		}
		for _, q := range collationIndexes(s.D, e, s.pinyin) {
			if _, err := s.Exec(ctx, q); err != nil {
				return fmt.Errorf("store: pinyin index of %s: %w", e.Name, err)
			}
		}
	}
	return nil
}

// createIndex renders an index that leads with tenant_id. On PostgreSQL the columns are declared
// NULLS FIRST so that the index serves ORDER BY in Meridian's null ordering (nulls are the
// smallest values, as in SQLite) in both directions.
func createIndex(d Dialect, ix index) string {
	cols := []string{`"tenant_id"`}
	for _, c := range ix.cols {
		if d.Name() == "postgres" {
			cols = append(cols, Quote(c)+" NULLS FIRST")
		} else {
			cols = append(cols, Quote(c))
		}
	}
	if !ix.unique {
		cols = append(cols, `"id"`) // serves ORDER BY col, id (the keyset tie-breaker) without a sort
	}
	u := ""
	if ix.unique {
		u = "UNIQUE "
	}
	return fmt.Sprintf("CREATE %sINDEX %s ON %s (%s)", u, Quote(ix.name), Quote(ix.table), strings.Join(cols, ", "))
}

// guard builds the data-loss guard of an action: a count of the rows of table matching cond,
// limited to tenant's rows when tenant is set (a tenant's change is refused, or not, on its own
// records only, and never learns how many another tenant has).
func guard(d Dialect, tenant, table, cond string) (string, []any) {
	q := "SELECT COUNT(*) FROM " + Quote(table)
	var args []any
	var conds []string
	if tenant != "" {
		conds = append(conds, `"tenant_id" = `+d.Placeholder(1))
		args = append(args, tenant)
	}
	if cond != "" {
		conds = append(conds, cond)
	}
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	return q, args
}

// PlanEntity returns the actions that turn the tables of old into the tables of new (old nil:
// create them; new nil: drop them). tenant is the tenant whose model changes ("" for the system
// model): the guards count its records only.
func PlanEntity(d Dialect, tenant string, old, new *metadata.Entity) ([]Action, error) {
	switch {
	case new != nil && new.ReadOnly():
		return planView(d, new), nil
	case old != nil && old.ReadOnly() && new == nil:
		return []Action{{Desc: "drop view " + old.Name, SQL: []string{"DROP VIEW IF EXISTS " + Quote(old.Table())}}}, nil
	case old == nil:
		return planCreate(d, new), nil
	case new == nil:
		stmts := []string{"DROP TABLE " + Quote(old.Table())}
		if old.ExtTable() != "" {
			stmts = append(stmts, "DROP TABLE "+Quote(old.ExtTable()))
		}
		g, args := guard(d, tenant, old.Table(), "")
		return []Action{{Desc: "drop table " + old.Name, SQL: stmts, Guard: g, GuardArgs: args,
			GuardError: fault.Newf(fault.Conflict, "data_loss", "entity %s has records; deleting it would lose them (use force to delete anyway)", old.Name)}}, nil
	}
	return planAlter(d, tenant, old, new)
}

// extColumns returns the column definitions of e's extension attributes.
func extColumns(d Dialect, e *metadata.Entity) []string {
	var cols []string
	for _, a := range e.Attributes {
		if a.Ext {
			cols = append(cols, attributeColumns(d, a)...)
		}
	}
	return cols
}

// createExtTable renders the extension table of e with cols: the tenant's custom attributes of a
// system entity, one row per record that has a value in one of them.
func createExtTable(d Dialect, e *metadata.Entity, cols []string) string {
	id := d.ColumnType(&metadata.Attribute{Type: metadata.TypeGUID})
	all := append([]string{`"tenant_id" ` + id + ` NOT NULL`, `"id" ` + id + ` NOT NULL`}, cols...)
	all = append(all, `PRIMARY KEY ("tenant_id", "id")`)
	return fmt.Sprintf("CREATE TABLE %s (\n  %s\n)", Quote(e.ExtTable()), strings.Join(all, ",\n  "))
}

func planCreate(d Dialect, e *metadata.Entity) []Action {
	cols := systemColumns(d)
	for _, a := range e.Attributes {
		if !a.Ext {
			cols = append(cols, attributeColumns(d, a)...)
		}
	}
	cols = append(cols, `PRIMARY KEY ("tenant_id", "id")`)
	stmts := []string{fmt.Sprintf("CREATE TABLE %s (\n  %s\n)", Quote(e.Table()), strings.Join(cols, ",\n  "))}
	if ext := extColumns(d, e); len(ext) > 0 {
		stmts = append(stmts, createExtTable(d, e, ext))
	}
	for _, ix := range indexes(e) {
		stmts = append(stmts, createIndex(d, ix))
	}
	return []Action{{Desc: "create table " + e.Name, SQL: stmts}}
}

func planView(d Dialect, e *metadata.Entity) []Action {
	common := []string{`"tenant_id"`}
	for _, a := range e.Columns() {
		if a.Name != "activity_type" {
			common = append(common, Quote(a.Name))
		}
	}
	var parts []string
	for _, m := range e.Union {
		parts = append(parts, fmt.Sprintf("SELECT %s, '%s' AS \"activity_type\" FROM %s", strings.Join(common, ", "), m, Quote(m)))
	}
	create := "CREATE VIEW " + Quote(e.Name)
	if d.Name() == "postgres" {
		// The view reads its members with the querying role's rights, so their row-level
		// security applies through it (PostgreSQL 15).
		create += " WITH (security_invoker = true)"
	}
	return []Action{{Desc: "create view " + e.Name, SQL: []string{
		"DROP VIEW IF EXISTS " + Quote(e.Name),
		create + " AS\n" + strings.Join(parts, "\nUNION ALL\n"),
	}}}
}

// textStorage are types stored as plain text in both dialects; changes among them need no DDL.
var textStorage = map[metadata.Type]bool{metadata.TypeString: true, metadata.TypeText: true, metadata.TypeEmail: true,
	metadata.TypePhone: true, metadata.TypeURL: true}

// attrTable returns the table holding attribute a of e.
func attrTable(e *metadata.Entity, a *metadata.Attribute) string {
	if a.Ext {
		return e.ExtTable()
	}
	return e.Table()
}

func planAlter(d Dialect, tenant string, old, new *metadata.Entity) ([]Action, error) {
	var acts []Action
	oldIx, newIx := map[string]index{}, map[string]index{}
	for _, ix := range indexes(old) {
		oldIx[ix.name] = ix
	}
	for _, ix := range indexes(new) {
		newIx[ix.name] = ix
	}
	// Drop indexes that go away first: SQLite cannot drop an indexed column.
	for _, ix := range indexes(old) {
		if _, keep := newIx[ix.name]; !keep {
			acts = append(acts, Action{Desc: "drop index " + ix.name, SQL: []string{"DROP INDEX " + Quote(ix.name)}, dropsIndex: ix.name, onTable: ix.table})
		}
	}
	// The extension table comes with the first attribute a tenant adds to a system entity and
	// goes with the last.
	oldExt, newExt := old.ExtTable() != "", new.ExtTable() != ""
	for _, oa := range old.Attributes {
		if new.Attr(oa.Name) != nil && !new.Attr(oa.Name).System {
			continue
		}
		t := attrTable(old, oa)
		cols := []string{oa.Name}
		for _, c := range oa.Companions() {
			cols = append(cols, c.Name)
		}
		var stmts []string
		if !oa.Ext || newExt {
			for _, c := range cols {
				stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s DROP COLUMN %s", Quote(t), Quote(c)))
			}
		}
		g, args := guard(d, tenant, t, Quote(oa.Name)+" IS NOT NULL")
		acts = append(acts, Action{Desc: "drop column " + oa.Name, SQL: stmts, Guard: g, GuardArgs: args,
			GuardError: fault.Field(oa.Name, "data_loss", "attribute %s holds data in some records; deleting it would lose that data (use force to delete anyway)", oa.Name)})
	}
	if oldExt && !newExt {
		acts = append(acts, Action{Desc: "drop extension table " + old.ExtTable(), SQL: []string{"DROP TABLE " + Quote(old.ExtTable())}})
	}
	var created []string // columns of a new extension table
	for _, na := range new.Attributes {
		oa := old.Attr(na.Name)
		if oa == nil || oa.System {
			var stmts []string
			if na.Ext && !oldExt {
				created = append(created, attributeColumns(d, na)...)
			} else {
				for _, c := range attributeColumns(d, na) {
					stmts = append(stmts, fmt.Sprintf("ALTER TABLE %s ADD COLUMN %s", Quote(attrTable(new, na)), c))
				}
			}
			act := Action{Desc: "add column " + na.Name, SQL: stmts}
			if na.Required {
				act.Guard, act.GuardArgs = guard(d, tenant, new.Table(), "")
				act.GuardError = fault.Field(na.Name, "required_on_existing", "a new required attribute needs every existing record to have a value; add it as optional, fill it, then make it required")
			}
			acts = append(acts, act)
			continue
		}
		a, err := planAttributeChange(d, tenant, attrTable(new, na), oa, na)
		if err != nil {
			return nil, err
		}
		acts = append(acts, a...)
	}
	if len(created) > 0 {
		// Before the indexes below, which may be on its columns.
		acts = append(acts, Action{Desc: "create extension table " + new.ExtTable(), SQL: []string{createExtTable(d, new, created)}})
	}
	// Refusals to lose or break data are conflicts with the stored records (409).
	for i := range acts {
		if acts[i].GuardError != nil {
			acts[i].GuardError.Kind = fault.Conflict
		}
	}
	for _, ix := range indexes(new) {
		if _, had := oldIx[ix.name]; !had {
			act := Action{Desc: "create index " + ix.name, SQL: []string{createIndex(d, ix)}, createsIndex: ix.name, onTable: ix.table}
			if ix.unique {
				cols := strings.Join(quoteAll(ix.cols), ", ")
				g, args := guard(d, tenant, ix.table, notNull(ix.cols))
				act.Guard = "SELECT COUNT(*) FROM (" + strings.Replace(g, "SELECT COUNT(*)", "SELECT 1", 1) + ` GROUP BY "tenant_id", ` + cols + " HAVING COUNT(*) > 1) d"
				act.GuardArgs = args
				act.GuardError = fault.Field(ix.cols[0], "duplicate_values", "existing records have duplicate values of %s; make them unique first", strings.Join(ix.cols, ", "))
				act.GuardError.Kind = fault.Conflict
			}
			acts = append(acts, act)
		}
	}
	return acts, nil
}

func planAttributeChange(d Dialect, tenant, table string, oa, na *metadata.Attribute) ([]Action, error) {
	c := Quote(na.Name)
	var acts []Action
	if oa.Type != na.Type {
		compatible := textStorage[oa.Type] && textStorage[na.Type] ||
			oa.Type == metadata.TypeChoice && textStorage[na.Type]
		if !compatible {
			return nil, fault.Field(na.Name, "type_change", "cannot change %s from %s to %s: create a new attribute, copy the data, then delete the old one", na.Name, oa.Type, na.Type)
		}
	}
	if oa.Type == metadata.TypeLookup && oa.Target != na.Target {
		return nil, fault.Field(na.Name, "type_change", "cannot change the target of lookup %s", na.Name)
	}
	if na.IsText() && na.MaxLength > 0 && (oa.MaxLength == 0 || na.MaxLength < oa.MaxLength) {
		g, args := guard(d, tenant, table, fmt.Sprintf("LENGTH(%s) > %d", c, na.MaxLength))
		acts = append(acts, Action{Desc: "narrow " + na.Name, Guard: g, GuardArgs: args,
			GuardError: fault.Field(na.Name, "data_loss", "some records have %s longer than %d characters", na.Name, na.MaxLength)})
	}
	if na.Required && !oa.Required {
		g, args := guard(d, tenant, table, c+" IS NULL")
		acts = append(acts, Action{Desc: "require " + na.Name, Guard: g, GuardArgs: args,
			GuardError: fault.Field(na.Name, "required_on_existing", "some records have no %s; fill them before making it required", na.Name)})
	}
	if na.Type == metadata.TypeChoice || na.Type == metadata.TypeMultiChoice {
		var removed []string
		for _, o := range oa.Options {
			if na.Option(o.Value) == nil {
				removed = append(removed, o.Value)
			}
		}
		if na.Type == metadata.TypeChoice && len(removed) > 0 {
			var vals []string
			for _, v := range removed {
				vals = append(vals, "'"+strings.ReplaceAll(v, "'", "''")+"'")
			}
			g, args := guard(d, tenant, table, fmt.Sprintf("%s IN (%s)", c, strings.Join(vals, ", ")))
			acts = append(acts, Action{Desc: "remove options of " + na.Name, Guard: g, GuardArgs: args,
				GuardError: fault.Field(na.Name, "data_loss", "records still use option values %s of %s", strings.Join(removed, ", "), na.Name)})
		}
	}
	if oa.Type != na.Type && na.Type == metadata.TypeChoice {
		return nil, fault.Field(na.Name, "type_change", "cannot change %s to a choice", na.Name)
	}
	for i := range acts {
		acts[i].GuardError.Kind = fault.Conflict
	}
	return acts, nil
}

func quoteAll(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = Quote(c)
	}
	return out
}

func notNull(cols []string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = Quote(c) + " IS NOT NULL"
	}
	return strings.Join(parts, " AND ")
}

// PlanRelationship returns the actions that create (or, with drop, remove) an intersect table.
func PlanRelationship(d Dialect, r *metadata.ManyToMany, drop bool) []Action {
	t := Quote(r.Table())
	if drop {
		return []Action{{Desc: "drop table " + r.Name, SQL: []string{"DROP TABLE " + t}}}
	}
	id := d.ColumnType(&metadata.Attribute{Type: metadata.TypeGUID})
	c1, c2 := Quote(r.Col1()), Quote(r.Col2())
	return []Action{{Desc: "create table " + r.Name, SQL: []string{
		fmt.Sprintf("CREATE TABLE %s (\n  \"tenant_id\" %s NOT NULL,\n  %s %s NOT NULL,\n  %s %s NOT NULL,\n  PRIMARY KEY (\"tenant_id\", %s, %s)\n)", t, id, c1, id, c2, id, c1, c2),
		fmt.Sprintf("CREATE INDEX %s ON %s (\"tenant_id\", %s)", Quote(IndexName("ix", r.Table(), r.Col2())), t, c2),
	}}}
}

// Apply runs actions inside ctx's transaction. Guards are checked first; unless force is set,
// a guard that counts affected rows refuses the whole change.
func (s *Store) Apply(ctx context.Context, acts []Action, force bool) error {
	if !force {
		for _, a := range acts {
			if a.Guard == "" {
				continue
			}
			var n int64
			if err := s.DB(ctx).QueryRowContext(ctx, a.Guard, a.GuardArgs...).Scan(&n); err != nil {
				return fmt.Errorf("store: %s: %w", a.Desc, err)
			}
			if n > 0 {
				ge := *a.GuardError
				ge.Message = fmt.Sprintf("%s (%d records)", ge.Message, n)
				return &ge
			}
		}
	}
	for _, a := range acts {
		for _, stmt := range a.SQL {
			if _, err := s.Exec(ctx, stmt); err != nil {
				if s.D.IsUniqueViolation(err) {
					return fault.Wrap(fault.Conflict, "duplicate_values", a.Desc+": existing records have duplicate values", err)
				}
				return fmt.Errorf("store: %s: %w", a.Desc, err)
			}
		}
	}
	return nil
}

// ShareIndexes adapts the index actions of tenant's change of system entity entity, whose table
// every tenant shares: an index a tenant asks for on a shipped attribute (indexed) is one index
// of the shared table, serving every tenant. It is created unless it exists, and dropped only
// when no other tenant's extension asks for it any more. Indexes of the tenant's extension table
// are its own and left as planned.
func (s *Store) ShareIndexes(ctx context.Context, tenant, entity string, acts []Action) ([]Action, error) {
	var wanted map[string]bool
	out := acts[:0:0]
	for _, a := range acts {
		switch {
		case a.createsIndex != "" && a.onTable == entity:
			a.SQL = []string{strings.Replace(a.SQL[0], "INDEX ", "INDEX IF NOT EXISTS ", 1)}
		case a.dropsIndex != "" && a.onTable == entity:
			if wanted == nil {
				var err error
				if wanted, err = s.indexesWanted(ctx, tenant, entity); err != nil {
					return nil, err
				}
			}
			if wanted[a.dropsIndex] {
				continue
			}
			a.SQL = []string{"DROP INDEX IF EXISTS " + Quote(a.dropsIndex)}
		}
		out = append(out, a)
	}
	return out, nil
}

// indexesWanted returns the names of the indexes of system entity entity's shared table that
// tenants other than tenant ask for.
func (s *Store) indexesWanted(ctx context.Context, tenant, entity string) (map[string]bool, error) {
	rows, err := s.DB(ctx).QueryContext(ctx, `SELECT definition FROM meta_entity WHERE kind = '`+KindExtension+`' AND name = `+s.D.Placeholder(1)+
		` AND tenant_id <> `+s.D.Placeholder(2), entity, tenant)
	if err != nil {
		return nil, fmt.Errorf("store: indexes of %s: %w", entity, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, err
		}
		var x metadata.Extension
		if err := json.Unmarshal([]byte(raw), &x); err != nil {
			return nil, fmt.Errorf("store: extension of %s: %w", entity, err)
		}
		for attr, ch := range x.Changes {
			if ch.Indexed != nil && *ch.Indexed {
				out[IndexName("ix", entity, attr)] = true
			}
		}
	}
	return out, rows.Err()
}
