package layout

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Data is generated from fixed seeds, so every run and every layout holds the same rows.

// tenants are the tenants of a run: keys k00000, k00001, … and their ids.
type tenants struct{ keys, ids []string }

func newTenants(n int) tenants {
	rng := rand.New(rand.NewPCG(14, 1))
	var t tenants
	for i := range n {
		t.keys = append(t.keys, fmt.Sprintf("k%05d", i))
		t.ids = append(t.ids, randomUUID(rng, 4, 0))
	}
	return t
}

// randomUUID returns a UUID of version v from rng; version 7 puts ms in its first 48 bits so
// that ids grow with time, as the store's do.
func randomUUID(rng *rand.Rand, v byte, ms int64) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	if v == 7 {
		for i := range 6 {
			b[i] = byte(ms >> (8 * (5 - i)))
		}
	}
	b[6] = b[6]&0x0f | v<<4
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// segments is the number of distinct values of the filtered custom attribute: a value selects
// about 1% of a tenant's accounts.
const segments = 100

func segment(i int) string { return fmt.Sprintf("seg-%02d", i) }

// accounts are generated account rows of one tenant: the values of the shared table's columns
// (after tenant_id) and of the custom columns (after id), in table order.
type accounts struct {
	ids         []string
	sys, custom [][]any
}

var words = strings.Fields(`north river stone bright cloud harbor maple summit delta orion
	lotus cedar falcon granite silver meadow quartz pioneer atlas beacon crystal ember frontier
	golden horizon ivory jade kestrel lumen marble nova onyx prism raven sable tide vertex willow`)

var suffixes = []string{"Ltd", "Inc", "GmbH", "SA", "Co", "Group", "Labs", "Partners"}

// makeAccounts generates n accounts of tenant id, from seed.
func makeAccounts(d dialect, cat *catalog, tenantID string, n int, seed uint64) accounts {
	rng := rand.New(rand.NewPCG(seed, 2))
	users := make([]string, 20)
	for i := range users {
		users[i] = randomUUID(rng, 4, 0)
	}
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var custom []column
	for _, a := range customAccount {
		custom = append(custom, attrColumns(a)...)
	}
	a := accounts{}
	for i := range n {
		at := base.Add(time.Duration(i) * time.Minute)
		id := randomUUID(rng, 7, at.UnixMilli())
		a.ids = append(a.ids, id)
		var sys []any
		for _, c := range cat.table("account").cols {
			if c.name == "id" {
				sys = append(sys, id)
				continue
			}
			sys = append(sys, value(d, c, i, at, rng, users))
		}
		cus := []any{id}
		for _, c := range custom {
			cus = append(cus, value(d, c, i, at, rng, users))
		}
		a.sys, a.custom = append(a.sys, sys), append(a.custom, cus)
	}
	return a
}

// value generates the value of column c of row i.
func value(d dialect, c column, i int, at time.Time, rng *rand.Rand, users []string) any {
	switch c.name {
	case "version":
		return int64(i + 1)
	case "name":
		return fmt.Sprintf("%s %s %s", title(words[rng.IntN(len(words))]), title(words[rng.IntN(len(words))]), suffixes[rng.IntN(len(suffixes))])
	case "account_number":
		return fmt.Sprintf("AC-%07d", i)
	case filterColumn:
		return segment(rng.IntN(segments))
	case "cf_external_ref":
		return fmt.Sprintf("EXT-%08d", i)
	case "owner_id", "created_by", "modified_by", "cf_sales_rep_id":
		return users[rng.IntN(len(users))]
	case "primary_contact_id", "parent_account_id":
		return nil
	}
	if strings.HasSuffix(c.name, "_currency") {
		return "USD"
	}
	if !c.notNull && rng.IntN(5) == 0 {
		return nil // one optional value in five is empty
	}
	switch c.typ {
	case "integer":
		return int64(rng.IntN(100000))
	case "decimal", "money":
		cents := int64(rng.IntN(100000000))
		if d == sqliteDB {
			return cents * 100 // scaled by 10^4
		}
		return float64(cents) / 100
	case "boolean":
		b := rng.IntN(2) == 1
		if d == sqliteDB {
			if b {
				return int64(1)
			}
			return int64(0)
		}
		return b
	case "date":
		t := at.AddDate(0, 0, -rng.IntN(2000)).Truncate(24 * time.Hour)
		if d == sqliteDB {
			return t.Format(time.DateOnly)
		}
		return t
	case "datetime":
		if d == sqliteDB {
			return at.Format("2006-01-02T15:04:05.000000Z")
		}
		return at
	case "guid", "lookup":
		return users[rng.IntN(len(users))]
	case "choice":
		return fmt.Sprintf("option_%d", rng.IntN(8))
	case "multi_choice":
		return fmt.Sprintf("tag_%d,tag_%d", rng.IntN(8), 8+rng.IntN(8))
	case "text":
		return strings.Repeat(words[rng.IntN(len(words))]+" ", 5+rng.IntN(30))
	case "email":
		return fmt.Sprintf("contact%d@%s.example", i, words[rng.IntN(len(words))])
	case "url":
		return fmt.Sprintf("https://www.%s%d.example", words[rng.IntN(len(words))], i)
	case "phone":
		return fmt.Sprintf("+1 555 %07d", rng.IntN(10000000))
	}
	return fmt.Sprintf("%s %d", title(words[rng.IntN(len(words))]), rng.IntN(1000))
}

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// insertRows inserts rows (values after tenant_id) of tenant into table q with columns cols
// (after tenant_id), in multi-row statements.
func insertRows(ctx context.Context, tx *sql.Tx, d dialect, q string, cols []column, tenant string, rows [][]any) error {
	const batch = 100
	names := []string{`"tenant_id"`}
	for _, c := range cols {
		names = append(names, quote(c.name))
	}
	for start := 0; start < len(rows); start += batch {
		part := rows[start:min(start+batch, len(rows))]
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + q + " (" + strings.Join(names, ", ") + ") VALUES ")
		args := make([]any, 0, len(part)*len(names))
		for r, row := range part {
			if r > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString("(")
			for j := range names {
				if j > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString(d.placeholder(len(args) + j + 1))
			}
			sb.WriteString(")")
			args = append(args, tenant)
			args = append(args, row...)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("insert into %s: %w", q, err)
		}
	}
	return nil
}

// loadAccounts writes a into tenant's accounts of layout l: the shared table with the custom
// columns (S), the tenant's own table (W), or the shared table and the tenant's extension
// table (X).
func loadAccounts(ctx context.Context, db *sql.DB, l layout, key, tenant string, a accounts) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	sys := l.cat.table("account").cols
	ext := extensionTable("account", customAccount).cols
	switch l.kind {
	case layoutX:
		if err := insertRows(ctx, tx, l.d, l.shared().q("account"), sys, tenant, a.sys); err != nil {
			return err
		}
		if err := insertRows(ctx, tx, l.d, l.own(key).q("account"), ext, tenant, a.custom); err != nil {
			return err
		}
	default:
		all := withCustom(*l.cat.table("account"), customAccount).cols
		rows := make([][]any, len(a.sys))
		for i := range rows {
			rows[i] = append(append([]any(nil), a.sys[i]...), a.custom[i][1:]...)
		}
		if err := insertRows(ctx, tx, l.d, l.own(key).q("account"), all, tenant, rows); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// analyze refreshes the planner statistics of the account tables of tenants keys after a load,
// as the store does after bulk writes (PostgreSQL; the store leaves SQLite without statistics).
func analyze(ctx context.Context, db *sql.DB, l layout, keys []string) error {
	if l.d != postgresDB {
		return nil
	}
	var tables []string
	add := func(q string) {
		if !slices.Contains(tables, q) {
			tables = append(tables, q)
		}
	}
	if l.kind != layoutW {
		add(l.shared().q("account"))
	}
	for _, k := range keys {
		add(l.own(k).q("account"))
	}
	for _, t := range tables {
		if _, err := db.ExecContext(ctx, "ANALYZE "+t); err != nil {
			return err
		}
	}
	return nil
}
