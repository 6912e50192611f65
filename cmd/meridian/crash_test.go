package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/store"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// TestCreatesKilledMidBurst runs the real server (group commit on, as by default), sends it a
// burst of concurrent creates from 16 clients, kills it with SIGKILL in the middle, and reads
// the database: every create the server acknowledged (201) is there, and every account there
// is whole — its change-log row, its audit entry, its duplicate keys, and the tenant's row
// counter agreeing with the rows. The server then starts again on the database and serves the
// same count. On SQLite, and on PostgreSQL with MERIDIAN_TEST_DB=postgres.
func TestCreatesKilledMidBurst(t *testing.T) {
	if testing.Short() && os.Getenv("CI") == "" { // CI always runs it
		t.Skip("-short: builds the binary and runs a server")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "meridian")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	db := storetest.DSN(t)
	const email, password = "admin@example.com", "crash test battery staple"
	start := func() (base string, cmd *exec.Cmd, log *bytes.Buffer) {
		t.Helper()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		cmd = exec.Command(bin, "serve")
		cmd.Env = append(os.Environ(), "MERIDIAN_DB="+db, "MERIDIAN_ADDR="+addr, "MERIDIAN_DATA_DIR="+filepath.Join(dir, "data"),
			"MERIDIAN_LOG_LEVEL=warn", "MERIDIAN_RATE_LIMIT=off", "MERIDIAN_TENANT_RATE_LIMIT=off", "MERIDIAN_CONCURRENCY_LIMIT=off",
			"MERIDIAN_ADMIN_EMAIL="+email, "MERIDIAN_ADMIN_PASSWORD="+password)
		log = &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		base = "http://" + addr
		for deadline := time.Now().Add(time.Minute); ; {
			if resp, err := http.Get(base + "/healthz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					return base, cmd, log
				}
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("the server did not start:\n%s", log)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	base, cmd, log := start()
	token := signIn(t, base, email, password)

	// The burst: 16 clients creating accounts until the server dies.
	var mu sync.Mutex
	acked := map[string]string{} // id → account number
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				number := fmt.Sprintf("K-%02d-%05d", c, i)
				body := fmt.Sprintf(`{"name":"Kill %02d account %05d","account_number":%q,"email":"k%d.%d@example.com"}`, c, i, number, c, i)
				refused := c < 4 && i%5 == 4 // some writes of the groups fail, rolled back to their savepoints
				if refused {
					body = fmt.Sprintf(`{"name":"Refused %02d %05d","industry":"no such industry"}`, c, i)
				}
				req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/accounts", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Prefer", "return=minimal")
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				resp.Body.Close()
				if refused && resp.StatusCode == http.StatusBadRequest {
					continue
				}
				if resp.StatusCode != http.StatusNoContent {
					return
				}
				loc := resp.Header.Get("Location")
				id := loc[strings.LastIndex(loc, "(")+1 : len(loc)-1]
				mu.Lock()
				acked[id] = number
				mu.Unlock()
			}
		}()
	}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 400 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d creates acknowledged in a minute\n%s", n, log)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	wg.Wait()

	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids, err := st.QueryStrings(ctx, `SELECT CAST(id AS TEXT) FROM account WHERE account_number LIKE 'K-%'`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]bool{}
	for _, id := range ids {
		stored[id] = true
	}
	for id, number := range acked {
		if !stored[id] {
			t.Errorf("acknowledged create %s (%s) is lost", id, number)
		}
	}
	// Whole records: each stored account has its change-log row, audit entry and keys.
	for _, q := range []string{
		`SELECT COUNT(*) FROM account a WHERE a.account_number LIKE 'K-%' AND NOT EXISTS (SELECT 1 FROM change_log c WHERE c.tenant_id = a.tenant_id AND c.record_id = a.id AND c.op = 'c')`,
		`SELECT COUNT(*) FROM account a WHERE a.account_number LIKE 'K-%' AND NOT EXISTS (SELECT 1 FROM audit_log l WHERE l.tenant_id = a.tenant_id AND l.record_id = CAST(a.id AS TEXT) AND l.action = 'create')`,
		`SELECT COUNT(*) FROM account a WHERE a.account_number LIKE 'K-%' AND NOT EXISTS (SELECT 1 FROM dedupe_doc d WHERE d.tenant_id = a.tenant_id AND d.record_id = a.id)`,
		`SELECT COUNT(*) FROM change_log c WHERE c.entity = 'account' AND c.op = 'c' AND NOT EXISTS (SELECT 1 FROM account a WHERE a.tenant_id = c.tenant_id AND a.id = c.record_id)`,
		`SELECT COUNT(*) FROM entity_count e WHERE e.entity = 'account' AND e.n <> (SELECT COUNT(*) FROM account a WHERE a.tenant_id = e.tenant_id)`,
	} {
		var n int
		if err := st.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n != 0 {
			t.Errorf("%d half-written: %s", n, q)
		}
	}
	t.Logf("killed after %d acknowledged creates; %d stored", len(acked), len(stored))
	var refused int
	if err := st.QueryRow(ctx, `SELECT COUNT(*) FROM account WHERE name LIKE 'Refused%'`).Scan(&refused); err != nil || refused != 0 {
		t.Errorf("%d refused creates stored (%v)", refused, err)
	}
	// The audit hash chain is whole: writes rolled back inside groups left no gap.
	if out, err := exec.Command(bin, "audit", "verify", "--db", db).CombinedOutput(); err != nil || !strings.Contains(string(out), "audit trail intact") {
		t.Errorf("audit verify: %v\n%s", err, out)
	}

	// The server starts again on the database and counts what is stored.
	base, cmd, log = start()
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	}()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/accounts/$count", nil)
	req.Header.Set("Authorization", "Bearer "+signIn(t, base, email, password))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var count int
	_ = json.NewDecoder(resp.Body).Decode(&count)
	resp.Body.Close()
	if count != len(stored) {
		t.Errorf("after the restart the server counts %d accounts, the database holds %d\n%s", count, len(stored), log)
	}
}
