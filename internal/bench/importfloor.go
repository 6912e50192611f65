package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
)

// runFloor writes tenant from's import again with floorLoad into a tenant of a fresh database
// beside a's (dsn is a's): a file next to a SQLite database, a schema of its own in a PostgreSQL
// database. It returns the rows it wrote by table and the time of the writes, and removes the
// database.
func runFloor(ctx context.Context, a *app.App, dsn, stamp, from string, progress io.Writer) (map[string]int, time.Duration, error) {
	fdsn, drop, err := floorDSN(ctx, a, dsn, stamp)
	if err != nil {
		return nil, 0, err
	}
	defer drop()
	c := app.Defaults()
	c.DB = fdsn
	f, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, 0, err
	}
	defer f.Close() // before drop
	t, err := f.EnsureTenant(ctx, "importfloor-"+stamp, "Import benchmark (floor)")
	if err != nil {
		return nil, 0, err
	}
	e := a.Registry.System().Entity("account")
	spent, err := floorLoad(ctx, a, f, e, from, t.ID, progress)
	if err != nil {
		return nil, spent, err
	}
	counts := map[string]int{}
	d := f.Store.D
	for table, where := range map[string]string{e.Name: "", "change_log": "", "dedupe_doc": "",
		"audit_log": ` AND action = 'create' AND entity = '` + e.Name + `'`} {
		var n int
		q := `SELECT COUNT(*) FROM ` + store.Quote(table) + ` WHERE tenant_id = ` + d.Placeholder(1) + where
		if err := f.Store.QueryRow(ctx, q, d.Encode(guidAttr, t.ID)).Scan(&n); err != nil {
			return nil, spent, err
		}
		counts[table] = n
	}
	return counts, spent, nil
}

// floorDSN creates the floor's database beside dsn and returns its DSN and a function removing it.
func floorDSN(ctx context.Context, a *app.App, dsn, stamp string) (string, func(), error) {
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		fpath := path + ".floor-" + stamp
		return "sqlite:" + fpath, func() {
			for _, suffix := range []string{"", "-wal", "-shm"} {
				_ = os.Remove(fpath + suffix)
			}
		}, nil
	}
	schema := "meridian_importfloor_" + stamp
	create := func(ctx context.Context) error {
		_, err := a.Store.Exec(ctx, `CREATE SCHEMA `+store.Quote(schema))
		return err
	}
	if err := a.Store.WithTx(ctx, create); err != nil {
		return "", nil, fmt.Errorf("floor: %w", err)
	}
	drop := func() {
		_ = a.Store.WithTx(context.WithoutCancel(ctx), func(ctx context.Context) error {
			_, err := a.Store.Exec(ctx, `DROP SCHEMA `+store.Quote(schema)+` CASCADE`)
			return err
		})
	}
	u, err := url.Parse(dsn)
	if err != nil {
		drop()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}

var guidAttr = &metadata.Attribute{Type: metadata.TypeGUID}

// floorLoad writes again, for tenant to, the rows an import wrote for tenant from — the records,
// their change log, their audit entries and their duplicate keys — with the statements the write
// path uses, in transactions of the import's batch size, and returns the time of the writes
// alone (each batch's rows are read before its transaction starts). It is the database's share
// of an import: what the import would take with no parsing, validation, hashing or key
// computing at all, through the same driver.
func floorLoad(ctx context.Context, a, f *app.App, e *metadata.Entity, from, to string, progress io.Writer) (time.Duration, error) {
	rd, st, d := a.Store, f.Store, f.Store.D
	src, dst := d.Encode(guidAttr, from), d.BulkValue(guidAttr, to)
	sqlite := d.Name() == "sqlite"

	recCols := []string{"tenant_id"}
	for _, c := range e.Columns() {
		recCols = append(recCols, c.Name)
	}
	recs := &chunks{table: e.Name, cols: recCols, key: "version", after: int64(0)}
	audits := &chunks{table: "audit_log", key: "seq", after: int64(0)}
	docs := &chunks{table: "dedupe_doc", cols: []string{"tenant_id", "entity", "record_id", "keys"}, key: "record_id",
		after: "00000000-0000-0000-0000-000000000000"}
	if sqlite {
		docs.cols, docs.key, docs.after = []string{"doc_id", "tenant_id", "entity", "record_id", "keys"}, "doc_id", int64(0)
	}
	var err error
	if audits.cols, err = columns(ctx, rd, "audit_log"); err != nil {
		return 0, err
	}
	// The copies follow the entries the new tenant already has (its creation's), so the floor
	// tenant's trail is not a verifiable chain: it exists only in a benchmark's database.
	var shift int64
	if err := st.QueryRow(ctx, `SELECT COALESCE(MAX(seq), 0) FROM audit_log WHERE tenant_id = `+d.Placeholder(1), d.Encode(guidAttr, to)).Scan(&shift); err != nil {
		return 0, err
	}
	seq := indexOf(audits.cols, "seq")
	var spent time.Duration
	analyzed := 0
	for done := 0; ; {
		rs, err := recs.next(ctx, rd, src, dst)
		if err != nil || len(rs) == 0 {
			return spent, err
		}
		as, err := audits.next(ctx, rd, src, dst)
		if err != nil {
			return spent, err
		}
		ds, err := docs.next(ctx, rd, src, dst)
		if err != nil {
			return spent, err
		}
		for _, r := range as {
			r[seq] = r[seq].(int64) + shift
		}
		if !sqlite {
			for _, r := range ds { // bigint[] is read back as its text form
				if r[3], err = int64Array(r[3]); err != nil {
					return spent, err
				}
			}
		}
		start := time.Now()
		err = st.WithTx(ctx, func(ctx context.Context) error {
			ph := d.Placeholder
			if err := st.BulkInsert(ctx, e.Name, recCols, rs); err != nil {
				return err
			}
			first, last := rs[0][indexOf(recCols, "version")], rs[len(rs)-1][indexOf(recCols, "version")]
			if _, err := st.Exec(ctx, records.CreatedLogCopy(d, e), e.Name, dst, first, last); err != nil {
				return err
			}
			if err := st.BulkInsert(ctx, "audit_log", audits.cols, as); err != nil {
				return err
			}
			if !sqlite {
				return st.BulkInsert(ctx, "dedupe_doc", docs.cols, ds)
			}
			var top int64
			if err := st.QueryRow(ctx, `SELECT COALESCE(MAX(doc_id), 0) FROM dedupe_doc`).Scan(&top); err != nil {
				return err
			}
			for i, r := range ds {
				r[0] = top + 1 + int64(i)
			}
			if err := st.BulkInsert(ctx, "dedupe_doc", docs.cols, ds); err != nil {
				return err
			}
			_, err := st.Exec(ctx, `INSERT INTO dedupe_fts (rowid, keys) SELECT doc_id, keys FROM dedupe_doc WHERE doc_id > `+ph(1)+` ORDER BY doc_id`, top)
			return err
		})
		if err == nil && done+len(rs) >= max(1000, analyzed*10) {
			// As the importer does (exchange's run.analyze).
			analyzed = done + len(rs)
			err = f.Records.RefreshStatistics(ctx, e.Name)
		}
		spent += time.Since(start)
		if err != nil {
			return spent, fmt.Errorf("floor: %w", err)
		}
		done += len(rs)
		if progress != nil {
			fmt.Fprintf(progress, "\rfloor: %d rows", done)
		}
	}
}

// chunks reads a table's rows of a tenant in key order, a batch at a time.
type chunks struct {
	table, key string
	cols       []string
	after      any
}

// next returns the next batch of rows with their tenant column set to dst.
func (c *chunks) next(ctx context.Context, st *store.Store, src, dst any) ([][]any, error) {
	ph := st.D.Placeholder
	q := `SELECT ` + strings.Join(quoteAll(c.cols), ", ") + ` FROM ` + store.Quote(c.table) + ` WHERE tenant_id = ` + ph(1) +
		` AND ` + store.Quote(c.key) + ` > ` + ph(2) + ` ORDER BY ` + store.Quote(c.key) + ` LIMIT ` + strconv.Itoa(exchange.DefaultBatchSize)
	rows, err := st.Query(ctx, q, src, c.after)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	k, t := indexOf(c.cols, c.key), indexOf(c.cols, "tenant_id")
	for rows.Next() {
		r := make([]any, len(c.cols))
		ptrs := make([]any, len(r))
		for i := range r {
			ptrs[i] = &r[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		c.after, r[t] = r[k], dst
		out = append(out, r)
	}
	return out, rows.Err()
}

// columns returns the columns of table.
func columns(ctx context.Context, st *store.Store, table string) ([]string, error) {
	rows, err := st.Query(ctx, `SELECT * FROM `+store.Quote(table)+` WHERE 1 = 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns()
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = store.Quote(n)
	}
	return out
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}

// int64Array parses PostgreSQL's text form of a bigint[] ("{1,-2,3}").
func int64Array(v any) ([]int64, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("floor: keys read as %T", v)
	}
	s = strings.Trim(s, "{}")
	if s == "" {
		return []int64{}, nil
	}
	parts := strings.Split(s, ",")
	out := make([]int64, len(parts))
	for i, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("floor: keys %q: %w", s, err)
		}
		out[i] = n
	}
	return out, nil
}
