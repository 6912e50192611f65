package layout

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
)

// dialect is the database a layout is built on.
type dialect int

const (
	sqliteDB dialect = iota
	postgresDB
)

func (d dialect) String() string {
	if d == postgresDB {
		return "postgres"
	}
	return "sqlite"
}

func quote(id string) string { return `"` + strings.ReplaceAll(id, `"`, `""`) + `"` }

// names places tables: in a PostgreSQL schema ("" is the connection's search path; always ""
// on SQLite), with a prefix before the entity name.
type names struct{ schema, prefix string }

// name is the unqualified table name of entity.
func (n names) name(entity string) string { return n.prefix + entity }

// q is the quoted, qualified table name of entity.
func (n names) q(entity string) string {
	if n.schema == "" {
		return quote(n.name(entity))
	}
	return quote(n.schema) + "." + quote(n.name(entity))
}

// indexName returns a stable index name within PostgreSQL's 63-byte identifier limit, as the
// store names them.
func indexName(kind, table string, cols ...string) string {
	n := kind + "_" + table + "_" + strings.Join(cols, "_")
	if len(n) <= 63 {
		return n
	}
	h := sha1.Sum([]byte(n))
	return n[:50] + "_" + hex.EncodeToString(h[:6])
}

func colType(d dialect, typ string) string {
	if d == sqliteDB {
		switch typ {
		case "integer", "boolean", "decimal", "money":
			return "INTEGER" // decimals scaled to integers
		}
		return "TEXT"
	}
	switch typ {
	case "integer":
		return "bigint"
	case "decimal", "money":
		return "numeric(28,4)"
	case "boolean":
		return "boolean"
	case "date":
		return "date"
	case "datetime":
		return "timestamptz"
	case "lookup", "guid":
		return "uuid"
	case "json":
		return "jsonb"
	}
	return `text COLLATE "C"`
}

// pinyinCollation is PostgreSQL's ICU collation for Chinese, which the store indexes primary
// names in when the server has it.
const pinyinCollation = "zh-Hans-x-icu"

// createTable returns the statements that create t as entity's table in n: the table, its
// indexes and, on PostgreSQL, the tenant isolation policy.
func createTable(d dialect, n names, t table, pinyin bool) []string {
	cols := []string{`"tenant_id" ` + colType(d, "guid") + ` NOT NULL`}
	for _, c := range t.cols {
		s := quote(c.name) + " " + colType(d, c.typ)
		if c.notNull {
			s += " NOT NULL"
		}
		cols = append(cols, s)
	}
	key := []string{`"tenant_id"`}
	for _, k := range t.key {
		key = append(key, quote(k))
	}
	cols = append(cols, "PRIMARY KEY ("+strings.Join(key, ", ")+")")
	name, q := n.name(t.entity), n.q(t.entity)
	stmts := []string{fmt.Sprintf("CREATE TABLE %s (\n  %s\n)", q, strings.Join(cols, ",\n  "))}
	for _, ix := range t.indexes {
		stmts = append(stmts, createIndex(d, name, q, ix))
	}
	if d == postgresDB && pinyin && t.pinyin != "" {
		stmts = append(stmts, fmt.Sprintf(`CREATE INDEX %s ON %s ("tenant_id", %s COLLATE %s NULLS FIRST, "id")`,
			quote(indexName("ix", name, t.pinyin, "zh")), q, quote(t.pinyin), quote(pinyinCollation)))
	}
	if d == postgresDB {
		check := `tenant_id = NULLIF(current_setting('meridian.tenant_id', true), '')::uuid`
		stmts = append(stmts, "ALTER TABLE "+q+" ENABLE ROW LEVEL SECURITY",
			"CREATE POLICY tenant_isolation ON "+q+" USING ("+check+") WITH CHECK ("+check+")")
	}
	return stmts
}

// createIndex renders an index that leads with tenant_id, as the store does.
func createIndex(d dialect, table, q string, ix index) string {
	cols := []string{`"tenant_id"`}
	for _, c := range ix.cols {
		if d == postgresDB && !ix.plain {
			cols = append(cols, quote(c)+" NULLS FIRST")
		} else {
			cols = append(cols, quote(c))
		}
	}
	if !ix.unique && !ix.plain {
		cols = append(cols, `"id"`)
	}
	u := ""
	if ix.unique {
		u = "UNIQUE "
	}
	return fmt.Sprintf("CREATE %sINDEX %s ON %s (%s)", u, quote(indexName(ix.kind, table, ix.cols...)), q, strings.Join(cols, ", "))
}

func createView(n names, v view) string {
	cols := make([]string, len(v.cols))
	for i, c := range v.cols {
		cols[i] = quote(c)
	}
	var parts []string
	for _, m := range v.members {
		parts = append(parts, fmt.Sprintf("SELECT %s, '%s' AS \"activity_type\" FROM %s", strings.Join(cols, ", "), m, n.q(m)))
	}
	return "CREATE VIEW " + n.q(v.entity) + " AS\n" + strings.Join(parts, "\nUNION ALL\n")
}

// kind names a layout.
type kind string

const (
	layoutX kind = "X" // shared system tables + per-tenant extension and custom entity tables
	layoutW kind = "W" // a copy of every table per tenant
	layoutS kind = "S" // one shared table with the custom columns in it (one tenant's model)
)

// layout builds one of the layouts on a database.
type layout struct {
	kind kind
	d    dialect
	cat  *catalog
	// ns is, on PostgreSQL, the schema of the shared tables (X, S) or the prefix of the
	// tenants' schemas (W); "" uses the connection's search path. Always "" on SQLite.
	ns     string
	pinyin bool
}

// shared returns where the shared tables are.
func (l layout) shared() names { return names{schema: l.ns} }

// own returns where tenant key's own tables are.
func (l layout) own(key string) names {
	switch {
	case l.kind == layoutS:
		return l.shared()
	case l.kind == layoutW && l.d == postgresDB:
		return names{schema: l.ns + "_" + key}
	}
	return names{schema: l.ns, prefix: "t_" + key + "_"}
}

// systemDDL creates every system table and view in n, account with the custom columns or not.
func (l layout) systemDDL(n names, custom bool) []string {
	var stmts []string
	for _, t := range l.cat.tables {
		if custom && t.entity == "account" {
			t = withCustom(t, customAccount)
		}
		stmts = append(stmts, createTable(l.d, n, t, l.pinyin)...)
	}
	for _, v := range l.cat.views {
		stmts = append(stmts, createView(n, v))
	}
	return stmts
}

// sharedDDL returns the statements that create the tables every tenant shares.
func (l layout) sharedDDL() []string {
	if l.kind == layoutW {
		return nil
	}
	var stmts []string
	if l.ns != "" {
		stmts = append(stmts, "CREATE SCHEMA "+quote(l.ns))
	}
	return append(stmts, l.systemDDL(l.shared(), l.kind == layoutS)...)
}

// tenantDDL returns the statements that create tenant key's own tables.
func (l layout) tenantDDL(key string) []string {
	n := l.own(key)
	var stmts []string
	switch l.kind {
	case layoutS:
		return nil
	case layoutX:
		stmts = createTable(l.d, n, extensionTable("account", customAccount), l.pinyin)
	case layoutW:
		if n.schema != "" {
			stmts = append(stmts, "CREATE SCHEMA "+quote(n.schema))
		}
		stmts = append(stmts, l.systemDDL(n, true)...)
	}
	for _, e := range customEntities {
		stmts = append(stmts, createTable(l.d, n, customEntityTable(e), l.pinyin)...)
	}
	return stmts
}

// dropTenantDDL returns the statements that drop tenant key's own tables (PostgreSQL; a
// SQLite layout is a file of its own and goes with it). Tables go tenant by tenant, because
// one DROP SCHEMA … CASCADE of a thousand tenants' tables takes more locks than the server
// has room for.
func (l layout) dropTenantDDL(key string) []string {
	n := l.own(key)
	switch l.kind {
	case layoutX:
		stmts := []string{"DROP TABLE IF EXISTS " + n.q("account")}
		for _, e := range customEntities {
			stmts = append(stmts, "DROP TABLE IF EXISTS "+n.q(e))
		}
		return stmts
	case layoutW:
		return []string{"DROP SCHEMA IF EXISTS " + quote(n.schema) + " CASCADE"}
	}
	return nil
}
