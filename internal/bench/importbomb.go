package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/argon2id"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/exchange/exchangetest"
)

// bombTimeout is how long an accepted bomb's job may run before it is cancelled.
const bombTimeout = 2 * time.Minute

// BombResult is what uploading one hostile import file did to the server.
type BombResult struct {
	Bomb      string
	FileBytes int64 // the file on disk
	Expands   int64 // what it expands to (many-parts: its number of parts)
	Status    int   // the answer to the upload
	Outcome   string
	IdleRSS   int64 // the process's resident memory before the upload
	PeakRSS   int64 // its highest resident memory until the job ended or was refused
	ErrorFile int64 // bytes of the job's error file
	Time      time.Duration
}

// RunImportBombs serves the API on a loopback port and uploads each of exchangetest's bombs (or
// those named in only),
// expanding to size bytes (many-parts: size/1000 parts), as a tenant administrator, as dry runs
// (so that an accepted bomb fills no database); it follows an accepted job to its end, or
// cancels it after bombTimeout, and reports the process's resident memory before and at its
// peak.
func RunImportBombs(ctx context.Context, cfg Config, size int64, only []string) ([]BombResult, error) {
	dir, err := os.MkdirTemp("", "meridian-bombs")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	c := app.Defaults()
	c.DB, c.DataDir = cfg.DB, dir
	c.RateLimit, c.ConcurrencyLimit = "off", 0
	a, err := app.Open(ctx, c, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return nil, err
	}
	defer a.Close()
	a.Auth.Params = &argon2id.Params{Memory: 8 * 1024, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}
	slug := "bombs-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	t, err := a.EnsureTenant(ctx, slug, "Import bombs")
	if err != nil {
		return nil, err
	}
	email, pw := "admin@"+slug+".example", "bomb-password-1"
	if _, err := a.CreateUser(ctx, t.ID, email, "Admin", pw, access.AdminRole); err != nil {
		return nil, err
	}
	token, _, err := a.Auth.Login(ctx, slug, email, pw, time.Hour)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: a.API.Handler()}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	base := "http://" + ln.Addr().String() + "/api/v1/"
	call := func(method, path, ctype string, body io.Reader) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, method, base+path, body)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		return http.DefaultClient.Do(req)
	}
	var out []BombResult
	for _, b := range exchangetest.Bombs {
		if len(only) > 0 && !slices.Contains(only, b.Name) {
			continue
		}
		n := size
		if b.Name == "many-parts" {
			n = size / 1000
		}
		path := filepath.Join(dir, b.Name+b.Ext)
		f, err := os.Create(path)
		if err != nil {
			return nil, err
		}
		err = b.Write(f, []string{"name", "city"}, n)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		st, _ := os.Stat(path)
		r := BombResult{Bomb: b.Name, FileBytes: st.Size(), Expands: n}
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "%s: %d bytes, uploading\n", b.Name, r.FileBytes)
		}
		runtime.GC()
		debug.FreeOSMemory()
		r.IdleRSS = rss("VmRSS")
		peak := watchPeak()
		start := time.Now()
		body, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		ctype := "text/csv"
		if b.Ext == ".xlsx" {
			ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		res, err := call("POST", "imports?entity=accounts&dry_run=true&name="+b.Name+b.Ext, ctype, body)
		body.Close()
		if err != nil {
			peak()
			return nil, err
		}
		var job struct {
			ID           string `json:"id"`
			Status       string `json:"status"`
			Error        string `json:"error"`
			ErrorFileURL string `json:"error_file_url"`
			Failed       int64  `json:"failed"`
			RowsDone     int64  `json:"rows_done"`
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		r.Status = res.StatusCode
		if res.StatusCode != http.StatusAccepted {
			var e struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			_ = json.Unmarshal(raw, &e)
			r.Outcome = e.Error.Code + ": " + e.Error.Message
		} else if err := json.Unmarshal(raw, &job); err != nil {
			peak()
			return nil, err
		}
		for job.ID != "" && (job.Status == "queued" || job.Status == "running") {
			time.Sleep(50 * time.Millisecond)
			method := "GET"
			if time.Since(start) > bombTimeout {
				method = "DELETE"
			}
			res, err := call(method, "imports/"+job.ID, "", nil)
			if err != nil {
				peak()
				return nil, err
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if err := json.Unmarshal(raw, &job); err != nil {
				peak()
				return nil, fmt.Errorf("%s: %w: %s", b.Name, err, raw)
			}
			r.Outcome = fmt.Sprintf("job %s after %d rows, %d failed", job.Status, job.RowsDone, job.Failed)
			if job.Error != "" {
				r.Outcome += ": " + job.Error
			}
		}
		r.Time = time.Since(start)
		r.PeakRSS = peak()
		if job.ErrorFileURL != "" {
			res, err := call("GET", strings.TrimPrefix(job.ErrorFileURL, "/api/v1/"), "", nil)
			if err == nil {
				r.ErrorFile, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
			}
		}
		os.Remove(path)
		out = append(out, r)
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "%s", BombsMarkdown([]BombResult{r}))
		}
	}
	return out, nil
}

// BombsMarkdown renders bomb results as a table.
func BombsMarkdown(rs []BombResult) string {
	var b bytes.Buffer
	b.WriteString("| file | size | expands to | answer | outcome | idle RSS | peak RSS | above idle | error file | time |\n|---|---:|---:|---:|---|---:|---:|---:|---:|---:|\n")
	for _, r := range rs {
		exp := mib(r.Expands)
		if r.Bomb == "many-parts" {
			exp = strconv.FormatInt(r.Expands, 10) + " parts"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", r.Bomb, kib(r.FileBytes), exp, r.Status,
			strings.ReplaceAll(r.Outcome, "|", "/"), mib(r.IdleRSS), mib(r.PeakRSS), mib(r.PeakRSS-r.IdleRSS), mib(r.ErrorFile),
			r.Time.Round(10*time.Millisecond))
	}
	return b.String()
}

func kib(n int64) string { return strconv.FormatInt((n+1023)/1024, 10) + " KiB" }
func mib(n int64) string { return strconv.FormatFloat(float64(n)/(1<<20), 'f', 0, 64) + " MiB" }

// rss reads a memory figure of this process from /proc/self/status (VmRSS, VmHWM), in bytes;
// 0 where there is no /proc.
func rss(field string) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// watchPeak starts following the resident memory and returns a function that stops and
// returns its highest value: the kernel's high-water mark when it can be reset
// (/proc/self/clear_refs), else the highest of samples taken every 5 ms.
func watchPeak() func() int64 {
	reset := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	var mu sync.Mutex
	high := rss("VmRSS")
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				v := rss("VmRSS")
				mu.Lock()
				high = max(high, v)
				mu.Unlock()
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		if reset {
			high = max(high, rss("VmHWM"))
		}
		return high
	}
}
