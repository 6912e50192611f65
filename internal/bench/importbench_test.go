package bench

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// TestRunImport runs the import benchmark on a small file: the import creates every row, and the
// floor writes the same rows of every table the import wrote (records, change log, audit
// entries, duplicate keys) into a database of its own, which it removes.
func TestRunImport(t *testing.T) {
	if testing.Short() && os.Getenv("CI") == "" { // CI always runs it
		t.Skip("-short: writes the benchmark's three loads")
	}
	dsn := storetest.DSN(t)
	ctx := context.Background()
	const n = 12000 // three batches
	res, err := RunImport(ctx, Config{DB: dsn, Accounts: n, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.ImportPerSec <= 0 || res.RawPerSec <= 0 || res.FloorPerSec <= 0 {
		t.Fatalf("rates %+v", res)
	}
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		if left, _ := filepath.Glob(path + ".floor-*"); len(left) > 0 {
			t.Errorf("the floor's database was left behind: %v", left)
		}
	}
	c := app.Defaults()
	c.DB = dsn
	a, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	d := a.Store.D
	count := func(table, where, tenant string) int {
		t.Helper()
		var k int
		q := `SELECT COUNT(*) FROM ` + table + ` WHERE tenant_id = ` + d.Placeholder(1) + where
		if err := a.Store.DB(ctx).QueryRowContext(ctx, q, d.Encode(&metadata.Attribute{Type: metadata.TypeGUID}, tenant)).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	for _, c := range []struct{ table, where string }{
		{"account", ""},
		{"change_log", " AND op = 'c'"},
		{"audit_log", " AND action = 'create' AND entity = 'account'"},
		{"dedupe_doc", ""},
	} {
		imported, floor := count(c.table, c.where, res.ImportTenant), res.FloorRows[c.table]
		if imported < n || floor != imported {
			t.Errorf("%s: import wrote %d rows and the floor %d (want %d or more, and the same)", c.table, imported, floor, n)
		}
	}
}
