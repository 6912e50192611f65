package layout

import (
	"fmt"
	"strings"
)

// The account reads every layout answers, written as the query compiler writes them (alias t,
// page size 50 read as LIMIT 51, nulls first in ascending order, id as the tie-breaker). In
// layout X the tenant's custom columns come from its extension table through
// LEFT JOIN "t_<key>_account" t_x ON t_x.tenant_id = t.tenant_id AND t_x.id = t.id, which is
// written even when no custom column is selected: both databases remove it then.

// read names one of the reads; filter reads take the segment as their second argument, gets
// the id.
type read string

const (
	readGet            read = "get"              // one account by id, all columns
	readListName       read = "list-name"        // first page ordered by name, all columns
	readListFilter     read = "list-filter"      // first page with an indexed custom attribute equal to a value, all columns
	readGetSystem      read = "get-system"       // as get, the system columns only
	readListNameSystem read = "list-name-system" // as list-name, the system columns only
)

var reads = []read{readGet, readListName, readListFilter, readGetSystem, readListNameSystem}

// filterColumn is the indexed custom attribute the filtered list selects on.
const filterColumn = "cf_segment"

func (d dialect) placeholder(i int) string {
	if d == postgresDB {
		return fmt.Sprintf("$%d", i)
	}
	return "?"
}

func (d dialect) asc(col string) string {
	if d == postgresDB {
		return col + " NULLS FIRST"
	}
	return col
}

// accountSQL returns the SQL of r for tenant key in l.
func (l layout) accountSQL(key string, r read) string {
	sys := l.cat.table("account").cols
	var custom []column
	for _, a := range customAccount {
		custom = append(custom, attrColumns(a)...)
	}
	from := l.shared().q("account") + " t"
	cx := "t" // alias of the custom columns
	switch l.kind {
	case layoutW:
		from = l.own(key).q("account") + " t"
	case layoutX:
		from += " LEFT JOIN " + l.own(key).q("account") + ` t_x ON t_x."tenant_id" = t."tenant_id" AND t_x."id" = t."id"`
		cx = "t_x"
	}
	var sel []string
	for _, c := range sys {
		sel = append(sel, "t."+quote(c.name))
	}
	if r != readGetSystem && r != readListNameSystem {
		for _, c := range custom {
			sel = append(sel, cx+"."+quote(c.name))
		}
	}
	p := l.d.placeholder
	where := `t."tenant_id" = ` + p(1)
	var tail string
	switch r {
	case readGet, readGetSystem:
		where += ` AND t."id" = ` + p(2)
	case readListName, readListNameSystem:
		tail = ` ORDER BY ` + l.d.asc(`t."name"`) + `, t."id" LIMIT 51`
	case readListFilter:
		where += " AND " + cx + "." + quote(filterColumn) + " = " + p(2)
		tail = ` ORDER BY t."id" LIMIT 51`
	}
	return "SELECT " + strings.Join(sel, ", ") + " FROM " + from + " WHERE " + where + tail
}

// touchSQL returns the reads a request of tenant key makes in the memory and first-touch
// measurements: the account get (all columns) and, for the wider working set, a page of
// contacts, an opportunity and a page of one of its custom entities. The ids need not exist.
func (l layout) touchSQL(key string, wide bool) []string {
	qs := []string{l.accountSQL(key, readGet)}
	if !wide {
		return qs
	}
	p := l.d.placeholder
	sh := l.shared()
	if l.kind == layoutW {
		sh = l.own(key)
	}
	ce := l.own(key).q(customEntities[0])
	return append(qs,
		`SELECT t.* FROM `+sh.q("contact")+` t WHERE t."tenant_id" = `+p(1)+` AND t."account_id" = `+p(2)+` ORDER BY t."id" LIMIT 51`,
		`SELECT t.* FROM `+sh.q("opportunity")+` t WHERE t."tenant_id" = `+p(1)+` AND t."id" = `+p(2),
		`SELECT t.* FROM `+ce+` t WHERE t."tenant_id" = `+p(1)+` AND t."account_id" = `+p(2)+` ORDER BY `+l.d.asc(`t."name"`)+`, t."id" LIMIT 51`)
}
