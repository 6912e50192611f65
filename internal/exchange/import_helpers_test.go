package exchange_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store/storetest"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// env is a fresh database with one tenant, the records service and an importer.
type env struct {
	t      *testing.T
	ctx    context.Context // acts as the tenant's system principal
	svc    *records.Service
	im     *exchange.Importer
	dir    string
	tenant string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t)
	sys, err := metadata.System()
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.SyncSystem(ctx, sys, "")
	if err != nil {
		t.Fatal(err)
	}
	svc := records.NewService(st, metadata.NewRegistry(m, st), records.Options{})
	e := &env{t: t, svc: svc, im: exchange.NewImporter(svc), dir: t.TempDir()}
	e.ctx, e.tenant = e.newTenant("imports")
	return e
}

// newTenant creates another tenant and returns a context acting in it.
func (e *env) newTenant(slug string) (context.Context, string) {
	e.t.Helper()
	tn, err := tenant.Create(context.Background(), e.svc.Store(), strings.ToUpper(slug[:1])+slug[1:], slug, time.Now())
	if err != nil {
		e.t.Fatal(err)
	}
	return principal.With(context.Background(), principal.System(tn.ID)), tn.ID
}

// file writes content to name in the test's directory and returns its path.
func (e *env) file(name string, content []byte) string {
	e.t.Helper()
	p := filepath.Join(e.dir, name)
	if err := os.WriteFile(p, content, 0o600); err != nil {
		e.t.Fatal(err)
	}
	return p
}

// run starts and runs an import to its end.
func (e *env) run(req exchange.Request) (*exchange.Summary, *exchange.Job) {
	e.t.Helper()
	return e.runIn(e.ctx, req)
}

func (e *env) runIn(ctx context.Context, req exchange.Request) (*exchange.Summary, *exchange.Job) {
	e.t.Helper()
	if req.Source == "" {
		req.Source = exchange.SourceCLI
	}
	j, _, err := e.im.Start(ctx, req)
	if err != nil {
		e.t.Fatalf("start import of %s: %v", filepath.Base(req.Path), err)
	}
	s, err := e.im.Run(ctx, j, nil)
	if err != nil {
		e.t.Fatalf("run import of %s: %v", filepath.Base(req.Path), err)
	}
	return s, j
}

// all reads every record of entity visible in ctx.
func (e *env) all(ctx context.Context, entity string, o *query.Options) []*records.Record {
	e.t.Helper()
	if o == nil {
		o = &query.Options{}
	}
	q := *o
	var out []*records.Record
	for {
		page, err := e.svc.List(ctx, entity, &q, records.ReadOptions{PageSize: 5000})
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, page.Records...)
		if page.Next == "" {
			return out
		}
		q.SkipToken = page.Next
	}
}

// by returns the records of entity keyed by the text of attribute attr.
func (e *env) by(entity, attr string) map[string]*records.Record {
	e.t.Helper()
	out := map[string]*records.Record{}
	for _, r := range e.all(e.ctx, entity, nil) {
		out[text(r.Get(attr))] = r
	}
	return out
}

func text(v any) string { return exchange.Text(v, 4) }

// csvBytes renders rows as CSV with the delimiter.
func csvBytes(delim rune, rows ...[]string) []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = delim
	_ = w.WriteAll(rows)
	return b.Bytes()
}

// errorRows reads an error file: it must start with a byte-order mark and end its header with
// the four error columns. Rows are returned as maps by header.
func errorRows(t *testing.T, path string) []map[string]string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("error file: %v", err)
	}
	if !bytes.HasPrefix(raw, []byte("\ufeff")) {
		t.Fatal("the error file lacks its UTF-8 byte-order mark")
	}
	recs, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatalf("error file: %v", err)
	}
	h := recs[0]
	if n := len(h); n < 4 || strings.Join(h[n-4:], ",") != "_line,_column,_code,_error" {
		t.Fatalf("error file header %v", h)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range r {
			m[h[i]] = c
		}
		out = append(out, m)
	}
	return out
}

// wantCounts checks a summary's counters.
func wantCounts(t *testing.T, s *exchange.Summary, created, updated, skipped, failed int64) {
	t.Helper()
	if s.Created != created || s.Updated != updated || s.Skipped != skipped || s.Failed != failed {
		t.Fatalf("created %d updated %d skipped %d failed %d, want %d %d %d %d (warnings %v)",
			s.Created, s.Updated, s.Skipped, s.Failed, created, updated, skipped, failed, s.Warnings)
	}
}
