package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// The peer scenario measures Meridian's record API side by side with PocketBase's, as two
// processes on the same machine serving the same generated accounts with the same index on
// revenue, under the same closed-loop load (a client per connection, as wrk runs). PocketBase is
// a binary built outside this repository (scripts/compare-pocketbase.sh installs
// github.com/pocketbase/pocketbase/examples/base); this file only speaks its HTTP API.
//
// Both servers run with their defaults except what a load test needs: Meridian's gateway limits
// are off (PocketBase has none by default) and PocketBase's batch API is on (it is off by
// default), with 500 requests per batch.

// PeerConfig describes a run of the peer scenario.
type PeerConfig struct {
	PocketBase string // the PocketBase binary
	Meridian   string // the meridian binary ("" → this executable)
	// DB is Meridian's database: "" for a SQLite file in Dir, or a postgres:// URL (its
	// search_path schema is emptied first). PocketBase always runs on its SQLite.
	DB            string
	Dir           string // work folder ("" → a temporary one, removed at the end)
	Accounts      int
	Duration      time.Duration // per measurement and server
	Connections   int           // clients of the read and create scenarios
	CreateClients []int         // client counts of the "creates grow with clients" rows
	BatchSize     int           // records per batch request
	BatchClients  int
	Only          string // measure only the scenarios whose name holds this ("" all)
	Seed          uint64
	Progress      io.Writer
}

// PeerRow is one scenario measured on both servers.
type PeerRow struct {
	Scenario   string `json:"scenario"`
	PocketBase Load   `json:"pocketbase"`
	Meridian   Load   `json:"meridian"`
	// Records says the throughput to compare is records per second, not requests.
	Records bool `json:"records,omitempty"`
}

// Ratio is Meridian's throughput over PocketBase's.
func (r PeerRow) Ratio() float64 {
	if r.Records {
		return r.Meridian.RecSec / r.PocketBase.RecSec
	}
	return r.Meridian.PerSec / r.PocketBase.PerSec
}

// PeerResult is what the peer scenario measured.
type PeerResult struct {
	Date        string    `json:"date"`
	Accounts    int       `json:"accounts"`
	MeridianDB  string    `json:"meridian_db"`
	Connections int       `json:"connections"`
	DurationSec float64   `json:"duration_sec"`
	SeedPB      Load      `json:"seed_pocketbase"` // seeding PocketBase through its batch API
	SeedImport  string    `json:"seed_meridian"`   // seeding Meridian through meridian import
	Rows        []PeerRow `json:"rows"`
}

// peerScenario is one row of the comparison: op builds a side's request loop.
type peerScenario struct {
	name    string
	clients int
	records bool // compare records per second
	op      func(s *peerSide) Op
}

// peerSide is one server as the load generator sees it.
type peerSide struct {
	name   string
	base   string
	auth   string // Authorization header value
	client *http.Client
	ids    []string
	proc   *process
	run    string // prefix of the records this run creates

	idsPath      string // a page of ids
	idsField     string // the member of its answer that lists them
	getPath      func(id string) string
	listPath     string
	filterPath   func(lo int) string
	createPath   string
	createOK     int
	batchPath    string
	batchBody    func(as []peerAccount) any
	batchResults func(body []byte) (ok int, err error)
}

type peerAccount struct {
	Name, Number, City string
	Revenue, Employees int
}

// body is the account as both servers take it in a create.
func (a peerAccount) body() any {
	return map[string]any{"name": a.Name, "account_number": a.Number, "city": a.City, "revenue": a.Revenue, "employees": a.Employees}
}

// revenueStep is the width of the revenue band the filtered list reads: about 1% of the
// accounts, revenue being uniform on [0, 10,000,000).
const revenueStep = 100_000

func peerAccountAt(rng *rand.Rand, prefix string, i int) peerAccount {
	return peerAccount{Name: fmt.Sprintf("%s account %07d", prefix, i), Number: fmt.Sprintf("%s-%07d", prefix, i),
		City: Cities[rng.IntN(len(Cities))], Revenue: rng.IntN(10_000_000), Employees: 1 + rng.IntN(5000)}
}

// RunPeer starts both servers, loads them with the same accounts and measures them.
func RunPeer(ctx context.Context, cfg PeerConfig) (*PeerResult, error) {
	if cfg.PocketBase == "" {
		return nil, errors.New("bench: the peer scenario needs the PocketBase binary (--pocketbase; scripts/compare-pocketbase.sh builds it)")
	}
	if cfg.Meridian == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, err
		}
		cfg.Meridian = exe
	}
	if cfg.Dir == "" {
		d, err := os.MkdirTemp("", "meridian-peer-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(d)
		cfg.Dir = d
	}
	progress := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, format+"\n", args...)
		}
	}
	res := &PeerResult{Date: time.Now().UTC().Format("2006-01-02"), Accounts: cfg.Accounts, Connections: cfg.Connections,
		DurationSec: cfg.Duration.Seconds(), MeridianDB: "sqlite"}
	if strings.HasPrefix(cfg.DB, "postgres") {
		res.MeridianDB = "postgres"
	}

	pb, err := startPocketBase(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer pb.stop()
	progress("pocketbase: loading %d accounts through its batch API", cfg.Accounts)
	if res.SeedPB, err = seedPocketBase(ctx, pb, cfg); err != nil {
		return nil, err
	}
	progress("pocketbase: %d accounts in %s", cfg.Accounts, res.SeedPB.Elapsed.Round(time.Millisecond))

	start := time.Now()
	progress("meridian: loading %d accounts with meridian import", cfg.Accounts)
	m, err := startMeridian(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer m.stop()
	res.SeedImport = time.Since(start).Round(time.Millisecond).String()
	progress("meridian: ready in %s", res.SeedImport)

	for _, s := range []*peerSide{pb, m} {
		if s.ids, err = s.sampleIDs(ctx); err != nil {
			return nil, fmt.Errorf("%s: %w", s.name, err)
		}
	}
	c := cfg.Connections
	rows := []peerScenario{
		{"get by id", c, false, func(s *peerSide) Op {
			return func(ctx context.Context, _, i int) (int, error) {
				return 0, s.do(ctx, http.MethodGet, s.getPath(s.ids[(i*7919)%len(s.ids)]), nil, http.StatusOK, nil)
			}
		}},
		{"list 50 sorted by revenue (indexed)", c, false, func(s *peerSide) Op {
			return func(ctx context.Context, _, _ int) (int, error) {
				return 0, s.do(ctx, http.MethodGet, s.listPath, nil, http.StatusOK, nil)
			}
		}},
		{"list 50 with revenue in a band (1%), sorted by revenue", c, false, func(s *peerSide) Op {
			return func(ctx context.Context, _, i int) (int, error) {
				return 0, s.do(ctx, http.MethodGet, s.filterPath((i*37%100)*revenueStep), nil, http.StatusOK, nil)
			}
		}},
	}
	for _, n := range append(cfg.CreateClients, c) {
		rows = append(rows, peerScenario{fmt.Sprintf("create one account, %d clients", n), n, false, func(s *peerSide) Op {
			return func(ctx context.Context, client, i int) (int, error) {
				rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
				a := peerAccountAt(rng, s.run+"-c"+strconv.Itoa(n), i)
				if err := s.do(ctx, http.MethodPost, s.createPath, a.body(), s.createOK, nil); err != nil {
					return 0, err
				}
				return 1, nil
			}
		}})
	}
	rows = append(rows, peerScenario{fmt.Sprintf("batch create, %d per request, %d clients", cfg.BatchSize, cfg.BatchClients), cfg.BatchClients, true, func(s *peerSide) Op {
		return func(ctx context.Context, client, i int) (int, error) {
			rng := rand.New(rand.NewPCG(cfg.Seed+1, uint64(i)))
			as := make([]peerAccount, cfg.BatchSize)
			for j := range as {
				as[j] = peerAccountAt(rng, s.run+"-b", i*cfg.BatchSize+j)
			}
			var body []byte
			if err := s.do(ctx, http.MethodPost, s.batchPath, s.batchBody(as), http.StatusOK, &body); err != nil {
				return 0, err
			}
			return s.batchResults(body)
		}
	}})

	for _, r := range rows {
		if !strings.Contains(r.name, cfg.Only) {
			continue
		}
		row := PeerRow{Scenario: r.name, Records: r.records}
		// PocketBase first, then Meridian; the next row starts with the other, so that drift of
		// the machine falls on both alike.
		order := []*peerSide{pb, m}
		if len(res.Rows)%2 == 1 {
			order = []*peerSide{m, pb}
		}
		for _, s := range order {
			progress("%s: %s", s.name, r.name)
			l, err := RunLoad(ctx, r.clients, cfg.Duration, r.op(s))
			if err != nil {
				return nil, fmt.Errorf("%s, %s: %w", s.name, r.name, err)
			}
			if s == pb {
				row.PocketBase = l
			} else {
				row.Meridian = l
			}
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// PeerMarkdown renders the result as the table of docs/benchmarks.md.
func PeerMarkdown(r *PeerResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %d accounts, Meridian on %s, %s per measurement and server\n\n", r.Date, r.Accounts, r.MeridianDB,
		time.Duration(r.DurationSec*float64(time.Second)))
	b.WriteString("| scenario | PocketBase | p50 / p99 | Meridian | p50 / p99 | Meridian / PocketBase |\n|---|---:|---:|---:|---:|---:|\n")
	for _, row := range r.Rows {
		unit, pb, mer := "req/s", row.PocketBase.PerSec, row.Meridian.PerSec
		if row.Records {
			unit, pb, mer = "records/s", row.PocketBase.RecSec, row.Meridian.RecSec
		}
		errs := func(l Load) string {
			if l.Errors == 0 {
				return ""
			}
			return fmt.Sprintf(" (%d errors)", l.Errors)
		}
		fmt.Fprintf(&b, "| %s | %.0f %s%s | %s / %s | %.0f %s%s | %s / %s | %.2f |\n", row.Scenario,
			pb, unit, errs(row.PocketBase), fmtDur(row.PocketBase.P50), fmtDur(row.PocketBase.P99),
			mer, unit, errs(row.Meridian), fmtDur(row.Meridian.P50), fmtDur(row.Meridian.P99), row.Ratio())
	}
	fmt.Fprintf(&b, "\nseeding: PocketBase through its batch API %s (%.0f records/s); Meridian through `meridian import`, start included, %s\n",
		r.SeedPB.Elapsed.Round(time.Millisecond), r.SeedPB.RecSec, r.SeedImport)
	for _, row := range r.Rows {
		for _, x := range []struct {
			name string
			l    Load
		}{{"PocketBase", row.PocketBase}, {"Meridian", row.Meridian}} {
			if x.l.FirstError != "" {
				fmt.Fprintf(&b, "\n%s, %s: first error: %s", x.name, row.Scenario, x.l.FirstError)
			}
		}
	}
	return b.String()
}

// PeerJSON renders the result as JSON.
func PeerJSON(r *PeerResult) ([]byte, error) { return json.MarshalIndent(r, "", "  ") }

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// process is a server started by startProcess.
type process struct {
	cmd    *exec.Cmd
	log    *os.File
	exited chan error // receives cmd.Wait's answer
}

// startProcess runs name with args and env, its output in dir/<label>.log, and waits until
// health answers 200.
func startProcess(ctx context.Context, dir, label, health string, env []string, name string, args ...string) (*process, error) {
	logf, err := os.Create(filepath.Join(dir, label+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	p := &process{cmd: cmd, log: logf, exited: make(chan error, 1)}
	go func() { p.exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.exited:
			logf.Close()
			out, _ := os.ReadFile(logf.Name())
			return nil, fmt.Errorf("%s exited (%v): %s", label, err, tail(out))
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		if resp, err := http.Get(health); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
	}
	p.stop()
	return nil, fmt.Errorf("%s did not answer %s within 60 s", label, health)
}

// stop interrupts the process, kills it if it has not exited 10 s later, and closes its log.
func (p *process) stop() {
	p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-p.exited
	}
	p.log.Close()
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

func (s *peerSide) stop() {
	if s.proc != nil {
		s.proc.stop()
	}
}

// do sends a JSON request and checks the status; out, when not nil, receives the body.
func (s *peerSide) do(ctx context.Context, method, path string, body any, want int, out *[]byte) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.auth != "" {
		req.Header.Set("Authorization", s.auth)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, tail(b))
	}
	if out != nil {
		*out = b
	}
	return nil
}

// sampleIDs reads the ids of up to 1,000 accounts, which the gets pick from.
func (s *peerSide) sampleIDs(ctx context.Context) ([]string, error) {
	var body []byte
	if err := s.do(ctx, http.MethodGet, s.idsPath, nil, http.StatusOK, &body); err != nil {
		return nil, err
	}
	var page map[string]json.RawMessage
	var items []struct{ ID string }
	if err := json.Unmarshal(body, &page); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(page[s.idsField], &items); err != nil {
		return nil, fmt.Errorf("%s: %s: %w", s.name, s.idsField, err)
	}
	var ids []string
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	if len(ids) == 0 {
		return nil, errors.New("no accounts")
	}
	return ids, nil
}

// signIn posts credentials to path and keeps the token of the answer, prefixed by scheme.
func (s *peerSide) signIn(ctx context.Context, path string, creds map[string]string, scheme string) error {
	var body []byte
	if err := s.do(ctx, http.MethodPost, path, creds, http.StatusOK, &body); err != nil {
		return err
	}
	var tok struct{ Token string }
	if err := json.Unmarshal(body, &tok); err != nil || tok.Token == "" {
		return fmt.Errorf("%s: no token in %s", s.name, tail(body))
	}
	s.auth = scheme + tok.Token
	return nil
}

const (
	peerEmail    = "bench@peer.example"
	peerPassword = "peer-bench-passphrase-7"
)

func startPocketBase(ctx context.Context, cfg PeerConfig) (*peerSide, error) {
	dir := filepath.Join(cfg.Dir, "pb_data")
	if out, err := exec.CommandContext(ctx, cfg.PocketBase, "superuser", "upsert", peerEmail, peerPassword, "--dir", dir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pocketbase superuser upsert: %v: %s", err, out)
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s := &peerSide{name: "pocketbase", base: "http://" + addr, client: loadClient(max(cfg.Connections, cfg.BatchClients)), run: "pb" + strconv.FormatInt(time.Now().Unix(), 36)}
	if s.proc, err = startProcess(ctx, cfg.Dir, "pocketbase", s.base+"/api/health", nil, cfg.PocketBase, "serve", "--http", addr, "--dir", dir); err != nil {
		return nil, err
	}
	if err := s.signIn(ctx, "/api/collections/_superusers/auth-with-password", map[string]string{"identity": peerEmail, "password": peerPassword}, ""); err != nil {
		s.stop()
		return nil, err
	}
	setup := []struct {
		method, path string
		body         any
	}{
		{http.MethodPatch, "/api/settings", map[string]any{"batch": map[string]any{"enabled": true, "maxRequests": max(cfg.BatchSize, 500), "timeout": 120, "maxBodySize": 0}}},
		{http.MethodPost, "/api/collections", map[string]any{"name": "accounts", "type": "base", "fields": []map[string]any{
			{"name": "name", "type": "text", "required": true}, {"name": "account_number", "type": "text"}, {"name": "city", "type": "text"},
			{"name": "revenue", "type": "number"}, {"name": "employees", "type": "number"}},
			"indexes": []string{"CREATE INDEX idx_accounts_revenue ON accounts (revenue)"}}},
	}
	for _, x := range setup {
		if err := s.do(ctx, x.method, x.path, x.body, http.StatusOK, nil); err != nil {
			s.stop()
			return nil, fmt.Errorf("pocketbase setup: %w", err)
		}
	}
	const records = "/api/collections/accounts/records"
	s.idsPath, s.idsField = records+"?perPage=1000&fields=id&skipTotal=1&sort=id", "items"
	s.getPath = func(id string) string { return records + "/" + id }
	s.listPath = records + "?perPage=50&sort=-revenue,id&skipTotal=1"
	s.filterPath = func(lo int) string {
		return records + "?perPage=50&sort=-revenue,id&skipTotal=1&filter=" + url.QueryEscape(fmt.Sprintf("revenue >= %d && revenue < %d", lo, lo+revenueStep))
	}
	s.createPath, s.createOK = records, http.StatusOK
	s.batchPath = "/api/batch"
	s.batchBody = func(as []peerAccount) any {
		reqs := make([]map[string]any, len(as))
		for i, a := range as {
			reqs[i] = map[string]any{"method": "POST", "url": records, "body": a.body()}
		}
		return map[string]any{"requests": reqs}
	}
	s.batchResults = func(body []byte) (int, error) {
		var out []struct{ Status int }
		if err := json.Unmarshal(body, &out); err != nil {
			return 0, err
		}
		return countStatus(len(out), func(i int) int { return out[i].Status }, http.StatusOK)
	}
	return s, nil
}

// countStatus checks that the n sub-responses answered want, and counts them.
func countStatus(n int, status func(i int) int, want int) (int, error) {
	for i := range n {
		if status(i) != want {
			return i, fmt.Errorf("sub-request %d answered %d", i, status(i))
		}
	}
	return n, nil
}

// seedPocketBase writes cfg.Accounts accounts through the batch API.
func seedPocketBase(ctx context.Context, s *peerSide, cfg PeerConfig) (Load, error) {
	batches := seedBatches(cfg)
	next := make(chan int, batches)
	for i := range batches {
		next <- i
	}
	close(next)
	// A closed loop that ends when the batches run out: the duration is only a ceiling.
	return RunLoad(ctx, max(cfg.BatchClients, 1), time.Hour, func(ctx context.Context, _, _ int) (int, error) {
		b, ok := <-next
		if !ok {
			return 0, ErrLoadDone
		}
		as := seedBatch(cfg, b)
		var body []byte
		if err := s.do(ctx, http.MethodPost, s.batchPath, s.batchBody(as), http.StatusOK, &body); err != nil {
			return 0, err
		}
		return s.batchResults(body)
	})
}

// seedBatches is how many batches of cfg.BatchSize the seed accounts make.
func seedBatches(cfg PeerConfig) int { return (cfg.Accounts + cfg.BatchSize - 1) / cfg.BatchSize }

// seedBatch returns the accounts of seed batch b, the same for both servers.
func seedBatch(cfg PeerConfig, b int) []peerAccount {
	rng := rand.New(rand.NewPCG(cfg.Seed, uint64(b)))
	as := make([]peerAccount, 0, cfg.BatchSize)
	for j := b * cfg.BatchSize; j < min(cfg.Accounts, (b+1)*cfg.BatchSize); j++ {
		as = append(as, peerAccountAt(rng, "seed", j))
	}
	return as
}

// seedCSV writes the same accounts as seedPocketBase to a CSV file for meridian import.
func seedCSV(path string, cfg PeerConfig) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"name", "account_number", "city", "revenue", "employees"})
	for b := range seedBatches(cfg) {
		for _, a := range seedBatch(cfg, b) {
			w.Write([]string{a.Name, a.Number, a.City, strconv.Itoa(a.Revenue), strconv.Itoa(a.Employees)})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func startMeridian(ctx context.Context, cfg PeerConfig) (*peerSide, error) {
	db := cfg.DB
	if db == "" {
		db = "sqlite:" + filepath.Join(cfg.Dir, "meridian.db")
	} else if strings.HasPrefix(db, "postgres") {
		if err := resetSchema(ctx, db); err != nil {
			return nil, err
		}
	}
	file := filepath.Join(cfg.Dir, "accounts.csv")
	if err := seedCSV(file, cfg); err != nil {
		return nil, err
	}
	env := []string{"MERIDIAN_DB=" + db, "MERIDIAN_LOG_LEVEL=warn", "MERIDIAN_RATE_LIMIT=off", "MERIDIAN_TENANT_RATE_LIMIT=off",
		"MERIDIAN_CONCURRENCY_LIMIT=off", "MERIDIAN_ADMIN_EMAIL=" + peerEmail, "MERIDIAN_ADMIN_PASSWORD=" + peerPassword}
	imp := exec.CommandContext(ctx, cfg.Meridian, "import", file, "--entity", "accounts", "--no-progress")
	imp.Env = append(os.Environ(), env...)
	if out, err := imp.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("meridian import: %v: %s", err, tail(out))
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	s := &peerSide{name: "meridian", base: "http://" + addr, client: loadClient(max(cfg.Connections, cfg.BatchClients)), run: "m" + strconv.FormatInt(time.Now().Unix(), 36)}
	if s.proc, err = startProcess(ctx, cfg.Dir, "meridian", s.base+"/healthz", append(env, "MERIDIAN_ADDR="+addr), cfg.Meridian, "serve"); err != nil {
		return nil, err
	}
	if err := s.signIn(ctx, "/api/v1/auth/login", map[string]string{"email": peerEmail, "password": peerPassword}, "Bearer "); err != nil {
		s.stop()
		return nil, err
	}
	if err := s.do(ctx, http.MethodPatch, "/api/v1/metadata/entities/account/attributes/revenue", map[string]any{"indexed": true}, http.StatusOK, nil); err != nil {
		s.stop()
		return nil, fmt.Errorf("meridian: index on revenue: %w", err)
	}
	s.idsPath, s.idsField = "/api/v1/accounts?$select=id&$top=1000&$orderby=id", "value"
	s.getPath = func(id string) string { return "/api/v1/accounts(" + id + ")" }
	s.listPath = "/api/v1/accounts?$top=50&$orderby=" + url.QueryEscape("revenue desc")
	s.filterPath = func(lo int) string {
		return "/api/v1/accounts?$top=50&$orderby=" + url.QueryEscape("revenue desc") + "&$filter=" +
			url.QueryEscape(fmt.Sprintf("revenue ge %d and revenue lt %d", lo, lo+revenueStep))
	}
	s.createPath, s.createOK = "/api/v1/accounts", http.StatusCreated
	s.batchPath = "/api/v1/$batch"
	s.batchBody = func(as []peerAccount) any {
		reqs := make([]map[string]any, len(as))
		for i, a := range as {
			reqs[i] = map[string]any{"id": strconv.Itoa(i + 1), "method": "POST", "url": "accounts", "body": a.body()}
		}
		return map[string]any{"requests": reqs}
	}
	s.batchResults = func(body []byte) (int, error) {
		var out struct {
			Responses []struct{ Status int } `json:"responses"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			return 0, err
		}
		return countStatus(len(out.Responses), func(i int) int { return out.Responses[i].Status }, http.StatusCreated)
	}
	return s, nil
}

// resetSchema empties the schema a postgres:// URL's search_path names (public by default).
func resetSchema(ctx context.Context, dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return err
	}
	schema := u.Query().Get("search_path")
	if schema == "" {
		return errors.New("bench: give Meridian's PostgreSQL database a search_path schema of its own (it is emptied first), e.g. ?search_path=meridian_peer")
	}
	q := u.Query()
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return execOn(ctx, u.String(), `DROP SCHEMA IF EXISTS "`+schema+`" CASCADE; CREATE SCHEMA "`+schema+`"`)
}
