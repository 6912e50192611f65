// Package bench measures whole API scenarios against the same operations done with raw SQL on
// the same database in the same run, so results are reported as ratios that hold across
// machines. It backs `meridian bench` and the go test benchmarks.
package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/tenant"
)

// Config describes a run.
type Config struct {
	DB       string
	Accounts int
	Duration time.Duration // per scenario and side
	Seed     uint64
	Progress io.Writer // loading progress; nil for none
	AppRole  string    // PostgreSQL: MERIDIAN_DB_APP_ROLE ("": the server's own role; "off": requests as the login)
	// ChineseNames gives the accounts Chinese company names (北京华信贸易有限公司 …) in a
	// tenant of their own, for the pinyin-order benchmark.
	ChineseNames bool
}

// Env is a loaded database with a running API server.
type Env struct {
	App      *app.App
	Tenant   *tenant.Tenant
	BaseURL  string
	Token    string
	Client   *http.Client
	IDs      []string // a sample of account ids
	Cities   []string
	srv      *http.Server
	shutdown func()
}

// Cities used for the generated accounts.
var Cities = []string{"Shanghai", "Beijing", "Shenzhen", "Hangzhou", "Guangzhou", "Chengdu", "Wuhan", "Nanjing", "Suzhou", "Xi'an",
	"Tianjin", "Chongqing", "Qingdao", "Xiamen", "Dalian", "Singapore", "Tokyo", "Seoul", "Sydney", "London",
	"Paris", "Berlin", "Madrid", "Milan", "Amsterdam", "Stockholm", "Zurich", "New York", "Chicago", "San Francisco",
	"Seattle", "Austin", "Toronto", "Vancouver", "Mexico City", "São Paulo", "Dubai", "Mumbai", "Bangalore", "Jakarta",
	"Bangkok", "Kuala Lumpur", "Manila", "Hanoi", "Ho Chi Minh City", "Taipei", "Hong Kong", "Macau", "Osaka", "Busan"}

var industries = []string{"technology", "manufacturing", "finance", "retail", "healthcare", "education", "energy", "logistics", "government", "other"}

// Setup opens the database, loads cfg.Accounts accounts (reusing an earlier load of the same
// size) and starts the API on a loopback port.
func Setup(ctx context.Context, cfg Config) (*Env, error) {
	c := app.Defaults()
	c.DB = cfg.DB
	c.MaxPageSize = 5000
	// The benchmark measures the API's throughput, far above the per-user rate limit; the cost
	// of the limits themselves is measured by BenchmarkGatewayLimits.
	c.RateLimit, c.ConcurrencyLimit = "off", 0
	c.DBAppRole = cfg.AppRole
	a, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, err
	}
	a.Auth.Params = &argon2id.Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	env := &Env{App: a, Cities: Cities}
	slug := "bench-" + strconv.Itoa(cfg.Accounts)
	if cfg.ChineseNames {
		slug = "bench-zh-" + strconv.Itoa(cfg.Accounts)
	}
	t, err := a.EnsureTenant(ctx, slug, "Benchmark "+strconv.Itoa(cfg.Accounts))
	if err != nil {
		return nil, err
	}
	env.Tenant = t
	sys := principal.With(ctx, principal.System(t.ID))
	email := "bench@" + slug + ".example"
	pw := "bench-password-1"
	if id, err := a.Records.IDByKey(sys, "user", map[string]string{"email": email}); err != nil {
		if _, err := a.CreateUser(ctx, t.ID, email, "Bench", pw, access.AdminRole); err != nil {
			return nil, err
		}
	} else if err := a.Access.GrantAdmin(sys, t.ID, id); err != nil { // a load made before roles existed
		return nil, err
	}
	if err := env.load(sys, cfg); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	env.srv = &http.Server{Handler: a.API.Handler()}
	go func() { _ = env.srv.Serve(ln) }()
	env.BaseURL = "http://" + ln.Addr().String() + "/api/v1/"
	env.Client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	token, _, err := a.Auth.Login(ctx, slug, email, pw, time.Hour)
	if err != nil {
		return nil, err
	}
	env.Token = token
	return env, nil
}

// Close stops the server and closes the database.
func (e *Env) Close() {
	if e.srv != nil {
		_ = e.srv.Close()
	}
	_ = e.App.Close()
}

// load inserts accounts (with a primary contact for every tenth) through the records service's
// bulk path until the tenant has cfg.Accounts, then samples ids.
func (e *Env) load(ctx context.Context, cfg Config) error {
	st := e.App.Store
	ph := st.D.Placeholder
	var have int
	if err := st.DB(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM "account" WHERE "tenant_id" = `+ph(1), e.Tenant.ID).Scan(&have); err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 7))
	const batch = 2000
	start := time.Now()
	for have < cfg.Accounts {
		n := min(batch, cfg.Accounts-have)
		contacts := make([]records.Input, 0, n/10+1)
		for i := 0; i < n; i += 10 {
			contacts = append(contacts, records.Input{"first_name": "Contact", "last_name": strconv.Itoa(have + i),
				"email": fmt.Sprintf("c%d@example.com", have+i)})
		}
		cids, _, err := e.App.Records.CreateMany(ctx, "contact", contacts)
		if err != nil {
			return err
		}
		rows := make([]records.Input, n)
		for i := range rows {
			k := have + i
			name := fmt.Sprintf("Account %07d %s", rng.IntN(10_000_000), Cities[k%len(Cities)])
			if cfg.ChineseNames {
				name = chineseName(rng)
			}
			row := records.Input{
				"name":           name,
				"account_number": fmt.Sprintf("A-%08d", k),
				"city":           Cities[k%len(Cities)],
				"industry":       industries[rng.IntN(len(industries))],
				"revenue":        strconv.Itoa(rng.IntN(50_000_000)) + ".50",
				"employees":      int64(rng.IntN(5000)),
			}
			if i%10 == 0 {
				row["primary_contact_id"] = cids[i/10]
			}
			rows[i] = row
		}
		_, bad, err := e.App.Records.CreateMany(ctx, "account", rows)
		if err != nil {
			return err
		}
		if len(bad) > 0 {
			for _, err := range bad {
				return err
			}
		}
		have += n
		if cfg.Progress != nil {
			el := time.Since(start).Seconds()
			fmt.Fprintf(cfg.Progress, "\rloading accounts: %d/%d (%.0f rows/s)   ", have, cfg.Accounts, float64(have)/max(el, 0.001))
		}
	}
	if cfg.Progress != nil {
		fmt.Fprintln(cfg.Progress)
	}
	if st.D.Name() == "postgres" {
		// What autovacuum would do after a bulk load: planner statistics and the visibility map
		// (index-only scans). Both sides of every scenario benefit alike.
		for _, t := range []string{"account", "contact", "change_log"} {
			if _, err := st.Raw().ExecContext(ctx, `VACUUM ANALYZE `+t); err != nil {
				return err
			}
		}
	}
	// No ANALYZE on SQLite: with sqlite_stat4 present, SQLite re-prepares a statement on every
	// execution whose bound tenant id could change the plan, which costs more than it saves here.
	rows, err := st.DB(ctx).QueryContext(ctx, `SELECT "id" FROM "account" WHERE "tenant_id" = `+ph(1)+` ORDER BY "account_number" LIMIT 20000`, e.Tenant.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var raw any
		if err := rows.Scan(&raw); err != nil {
			return err
		}
		v, err := st.D.Decode(e.App.Registry.System().Entity("account").Attr("id"), raw)
		if err != nil {
			return err
		}
		e.IDs = append(e.IDs, v.(string))
	}
	return rows.Err()
}

// Parts of generated Chinese company names: place, two-character trade name, business, form.
var (
	zhPlaces   = []string{"北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京", "苏州", "西安", "重庆", "长沙", "厦门", "阿坝", "张家口"}
	zhChars    = []rune("华信达恒泰安康盛宏鑫源金瑞丰隆通博远嘉和天阳光明新创佳美中国东方")
	zhBusiness = []string{"贸易", "科技", "实业", "茶业", "物流", "电子", "建设", "餐饮", "医药", "文化传媒"}
	zhForms    = []string{"有限公司", "股份有限公司", "集团", "商行"}
)

func chineseName(rng *rand.Rand) string {
	return zhPlaces[rng.IntN(len(zhPlaces))] + string(zhChars[rng.IntN(len(zhChars))]) + string(zhChars[rng.IntN(len(zhChars))]) +
		zhBusiness[rng.IntN(len(zhBusiness))] + zhForms[rng.IntN(len(zhForms))]
}

// Stats summarise the latencies of one side of a scenario.
type Stats struct {
	Ops       int
	OpsPerSec float64
	P50, P99  time.Duration
}

// Measure runs op repeatedly for d (at least 20 times) and returns its statistics.
func Measure(d time.Duration, op func(i int) error) (Stats, error) {
	var lat []time.Duration
	start := time.Now()
	for i := 0; time.Since(start) < d || i < 20; i++ {
		t0 := time.Now()
		if err := op(i); err != nil {
			return Stats{}, err
		}
		lat = append(lat, time.Since(t0))
	}
	el := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return Stats{Ops: len(lat), OpsPerSec: float64(len(lat)) / el.Seconds(), P50: lat[len(lat)/2], P99: lat[len(lat)*99/100]}, nil
}

// Result is one scenario's API and raw statistics.
type Result struct {
	Name     string
	API, Raw Stats
	Note     string
}

// Ratio is API throughput as a fraction of raw throughput.
func (r Result) Ratio() float64 { return r.API.OpsPerSec / r.Raw.OpsPerSec }

// Markdown renders results as a table.
func Markdown(results []Result) string {
	var b strings.Builder
	b.WriteString("| scenario | API ops/s | API p50 | API p99 | raw ops/s | raw p50 | raw p99 | API/raw |\n|---|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range results {
		fmt.Fprintf(&b, "| %s | %.0f | %s | %s | %.0f | %s | %s | %.2f |\n", r.Name, r.API.OpsPerSec, fmtDur(r.API.P50), fmtDur(r.API.P99),
			r.Raw.OpsPerSec, fmtDur(r.Raw.P50), fmtDur(r.Raw.P99), r.Ratio())
	}
	for _, r := range results {
		if r.Note != "" {
			fmt.Fprintf(&b, "\n%s: %s", r.Name, r.Note)
		}
	}
	return b.String()
}

func fmtDur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
	default:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
}

func mustDecimal(s string) any {
	v, err := (&metadata.Attribute{Type: metadata.TypeMoney}).Convert(s)
	if err != nil {
		panic(err)
	}
	return v
}
