package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// syncBuffer is a buffer safe for a command writing while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// startDemo runs `meridian demo` until the returned stop function is called.
func startDemo(t *testing.T, db string) (url string, out *syncBuffer, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	root := newRoot()
	out = &syncBuffer{}
	root.SetArgs([]string{"demo", "--db", db, "--addr", "127.0.0.1:0", "--scale", "0.03", "--seed", "5"})
	root.SetOut(out)
	root.SetErr(out)
	go func() { done <- root.ExecuteContext(withReady(ctx, func(u string) { ready <- u })) }()
	select {
	case url = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("demo stopped: %v\n%s", err, out)
	case <-time.After(2 * time.Minute):
		cancel()
		t.Fatalf("demo did not start:\n%s", out)
	}
	return url, out, func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("demo: %v", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("demo did not stop")
		}
	}
}

// demoGet signs in as the demo administrator and reads path.
func demoGet(t *testing.T, url, path string) map[string]any {
	t.Helper()
	return demoGetAs(t, url, demoEmail, path)
}

func demoGetAs(t *testing.T, url, email, path string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest("GET", url+"/api/v1/"+path, nil)
	req.Header.Set("Authorization", "Bearer "+signIn(t, url, email, demoPassword))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
	}
	return body
}

func TestDemoCommandServesDataAndRestartsWithoutDuplicates(t *testing.T) {
	t.Setenv("MERIDIAN_ADMIN_EMAIL", "")
	t.Setenv("MERIDIAN_ADMIN_PASSWORD", "")
	db := storetest.DSN(t)
	url, out, stop := startDemo(t, db)
	if !strings.Contains(out.String(), "Meridian demo is running at "+url) || !strings.Contains(out.String(), demoEmail+" / "+demoPassword) {
		t.Fatalf("output:\n%s", out)
	}
	first := demoGet(t, url, "accounts?$count=true&$top=1")["@odata.count"].(float64)
	// A sales representative signs in with the demo password and sees only part of the accounts.
	rep := demoRep()
	if !strings.Contains(out.String(), rep.Email+" / "+demoPassword) {
		t.Fatalf("the banner does not offer the sales representative's sign-in:\n%s", out)
	}
	if n := demoGetAs(t, url, rep.Email, "accounts?$count=true&$top=1")["@odata.count"].(float64); n <= 0 || n >= first {
		t.Fatalf("the sales representative sees %v of %v accounts", n, first)
	}
	cases := demoGet(t, url, "cases?$count=true&$top=1")["@odata.count"].(float64)
	if first < 30 || cases < 10 {
		t.Fatalf("%v accounts, %v cases", first, cases)
	}
	stop()

	url, out, stop = startDemo(t, db)
	defer stop()
	if !strings.Contains(out.String(), "Demo data found") {
		t.Fatalf("restart generated again:\n%s", out)
	}
	if again := demoGet(t, url, "accounts?$count=true&$top=1")["@odata.count"].(float64); again != first {
		t.Fatalf("restart: %v accounts, had %v", again, first)
	}
}

func TestSeedCommandTopsUp(t *testing.T) {
	db := storetest.DSN(t)
	out := run(t, "", "seed", "--db", db, "--tenant", "load", "--accounts", "2000", "--batch", "800")
	if !strings.Contains(out, "2000 accounts added (0 before)") || !strings.Contains(out, "contact ") || !strings.Contains(out, "opportunity ") {
		t.Fatalf("seed: %q", out)
	}
	if out := run(t, "", "seed", "--db", db, "--tenant", "load", "--accounts", "2000"); !strings.Contains(out, "already has 2000 seeded accounts") {
		t.Fatalf("second seed: %q", out)
	}
	if out := run(t, "", "seed", "--db", db, "--tenant", "load", "--accounts", "2500", "--batch", "800"); !strings.Contains(out, "500 accounts added (2000 before)") {
		t.Fatalf("third seed: %q", out)
	}
}

// signIn signs in to the server at url and returns the session's bearer token.
func signIn(t *testing.T, url, email, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := http.Post(url+"/api/v1/auth/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var login struct{ Token string }
	_ = json.NewDecoder(resp.Body).Decode(&login)
	if login.Token == "" {
		t.Fatalf("sign-in as %s: %d", email, resp.StatusCode)
	}
	return login.Token
}
