package bench

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
)

// ImportResult compares importing a CSV file through the import engine (validation, versions,
// change log, checkpoints) with loading the same rows with raw batched SQL.
type ImportResult struct {
	Rows         int
	ImportTime   time.Duration
	RawTime      time.Duration
	ImportPerSec float64
	RawPerSec    float64
	RawMethod    string
	// Floor is the time of writing the import's rows (records, change log, audit entries,
	// duplicate keys) again with the write path's statements and nothing else (floorLoad).
	FloorTime   time.Duration
	FloorPerSec float64
	// FloorRows counts the rows the floor wrote, by table; ImportTenant is the tenant the import
	// wrote to.
	FloorRows    map[string]int
	ImportTenant string
}

// Ratio is the import's rate as a fraction of the raw rate.
func (r ImportResult) Ratio() float64 { return r.ImportPerSec / r.RawPerSec }

var importHeader = []string{"name", "account_number", "industry", "revenue", "employees", "city", "country", "phone", "email", "website"}

// writeAccountsCSV writes n deterministic accounts to path.
func writeAccountsCSV(path string, n int, seed uint64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := csv.NewWriter(f)
	if err := w.Write(importHeader); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	for i := 0; i < n; i++ {
		city := Cities[i%len(Cities)]
		err := w.Write([]string{
			fmt.Sprintf("Import %07d %s", i, city), fmt.Sprintf("IMP-%08d", i), industries[rng.IntN(len(industries))],
			fmt.Sprintf("%d.%02d", rng.IntN(90_000_000), rng.IntN(100)), strconv.Itoa(rng.IntN(20000)), city, "China",
			fmt.Sprintf("+86 21 %08d", rng.IntN(100_000_000)), fmt.Sprintf("info%d@example.com", i), fmt.Sprintf("https://www.example%d.com", i),
		})
		if err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// RunImport generates cfg.Accounts accounts as CSV, imports them into one fresh tenant through
// the import engine, and loads the same file into another with raw batched INSERTs (SQLite) or
// COPY (PostgreSQL).
func RunImport(ctx context.Context, cfg Config) (ImportResult, error) {
	c := app.Defaults()
	c.DB = cfg.DB
	a, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return ImportResult{}, err
	}
	defer a.Close()
	dir, err := os.MkdirTemp("", "meridian-importbench")
	if err != nil {
		return ImportResult{}, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "accounts.csv")
	if err := writeAccountsCSV(path, cfg.Accounts, cfg.Seed); err != nil {
		return ImportResult{}, err
	}
	stamp := strconv.FormatInt(time.Now().UnixNano(), 36)
	res := ImportResult{Rows: cfg.Accounts, RawMethod: "multi-row INSERT, 5,000 rows per transaction"}
	if a.Store.D.Name() == "postgres" {
		res.RawMethod = "COPY, 5,000 rows per transaction"
	}

	// Through the import engine.
	t1, err := a.EnsureTenant(ctx, "importbench-"+stamp, "Import benchmark")
	if err != nil {
		return res, err
	}
	im := a.NewImporter()
	ictx := principal.With(ctx, principal.System(t1.ID))
	start := time.Now()
	job, _, err := im.Start(ictx, exchange.Request{Entity: "account", Path: path, Source: exchange.SourceCLI})
	if err != nil {
		return res, err
	}
	sum, err := im.Run(ictx, job, func(p exchange.Progress) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "\rimport: %d/%d rows", p.RowsDone, p.RowsTotal)
		}
	})
	if err != nil {
		return res, err
	}
	res.ImportTime = time.Since(start)
	if cfg.Progress != nil {
		fmt.Fprintln(cfg.Progress)
	}
	if sum.Created != int64(cfg.Accounts) || sum.Failed != 0 {
		return res, fmt.Errorf("import created %d and failed %d of %d rows", sum.Created, sum.Failed, cfg.Accounts)
	}

	// Raw: parse the same file and bulk-insert it.
	t2, err := a.EnsureTenant(ctx, "importraw-"+stamp, "Import benchmark (raw)")
	if err != nil {
		return res, err
	}
	start = time.Now()
	if err := rawLoad(ctx, a, t2.ID, path, cfg.Progress); err != nil {
		return res, err
	}
	res.RawTime = time.Since(start)
	res.ImportPerSec = float64(cfg.Accounts) / res.ImportTime.Seconds()
	res.RawPerSec = float64(cfg.Accounts) / res.RawTime.Seconds()

	// Floor: the import's rows of every table written again, with no other work, into a fresh
	// database of its own (as the import had), so that neither load meets the other's rows in
	// the tables and their indexes.
	res.FloorRows, res.FloorTime, err = runFloor(ctx, a, cfg.DB, stamp, t1.ID, cfg.Progress)
	if err != nil {
		return res, err
	}
	if cfg.Progress != nil {
		fmt.Fprintln(cfg.Progress)
	}
	res.FloorPerSec = float64(cfg.Accounts) / res.FloorTime.Seconds()
	res.ImportTenant = t1.ID
	return res, nil
}

// rawLoad reads path and inserts the accounts with no validation, versioning or change log.
func rawLoad(ctx context.Context, a *app.App, tenantID, path string, progress io.Writer) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		return err
	}
	st, d := a.Store, a.Store.D
	acc := a.Registry.System().Entity("account")
	cols := []string{"tenant_id", "id", "version", "created_at", "modified_at", "name", "account_number", "industry", "revenue",
		"revenue_currency", "employees", "city", "country", "phone", "email", "website"}
	guid := &metadata.Attribute{Type: metadata.TypeGUID}
	now := d.BulkValue(&metadata.Attribute{Type: metadata.TypeDateTime}, time.Now())
	tenant := d.BulkValue(guid, tenantID)
	batch := make([][]any, 0, 5000)
	n := 0
	flush := func() error {
		err := st.WithTx(ctx, func(ctx context.Context) error { return st.BulkInsert(ctx, "account", cols, batch) })
		batch = batch[:0]
		if progress != nil {
			fmt.Fprintf(progress, "\rraw: %d rows", n)
		}
		return err
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		n++
		rev, err := decimal.NewFromString(rec[3])
		if err != nil {
			return err
		}
		emp, err := strconv.ParseInt(rec[4], 10, 64)
		if err != nil {
			return err
		}
		batch = append(batch, []any{tenant, d.BulkValue(guid, uuid.Must(uuid.NewV7()).String()), int64(n), now, now, rec[0], rec[1], rec[2],
			d.BulkValue(acc.Attr("revenue"), rev), "USD", emp, rec[5], rec[6], rec[7], rec[8], rec[9]})
		if len(batch) == cap(batch) {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	if progress != nil {
		fmt.Fprintln(progress)
	}
	return nil
}
