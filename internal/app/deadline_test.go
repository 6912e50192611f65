package app

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// TestSlowClients runs the real server (Serve) with shortened deadlines and talks to it over TCP
// like slow or stalled clients: a client that never finishes its headers, one that stops in the
// middle of a sign-in's body or of an upload, and an idle kept-alive connection are cut off
// within the configured time; an upload that is slow but keeps coming is served in full.
//
// Unlike ordinary tests this one is about time. Its bound (5 s) is ten times the configured
// deadlines, so a loaded machine does not make it flaky, and half the 10 s defaults, so that
// it fails if a setting is not applied.
func TestSlowClients(t *testing.T) {
	const deadline, bound = 500 * time.Millisecond, 5 * time.Second
	c := Defaults()
	c.DB = storetest.DSN(t)
	c.DataDir = t.TempDir()
	c.AdminEmail, c.AdminPassword = "admin@example.com", "a-long-enough-password"
	c.ReadHeaderTimeout, c.ReadBodyTimeout, c.IdleTimeout = deadline, deadline, deadline
	c.ReadBodyMinRate = 1 << 10
	_, addr, _ := serveForTest(t, c)

	res, err := http.Post("http://"+addr+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"admin@example.com","password":"a-long-enough-password"}`))
	if err != nil {
		t.Fatal(err)
	}
	var login struct{ Token string }
	_ = json.NewDecoder(res.Body).Decode(&login)
	res.Body.Close()
	if login.Token == "" {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	auth := "Authorization: Bearer " + login.Token + "\r\n"
	upload := func(size int) string {
		return "POST /api/v1/imports?entity=accounts HTTP/1.1\r\nHost: x\r\nContent-Type: text/csv\r\n" + auth +
			fmt.Sprintf("Content-Length: %d\r\n\r\n", size)
	}

	// dial opens a connection and sends what, and returns it with a reader.
	dial := func(t *testing.T, what string) (net.Conn, *bufio.Reader, time.Time) {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close() })
		start := time.Now()
		if _, err := io.WriteString(conn, what); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(start.Add(bound))
		return conn, bufio.NewReader(conn), start
	}
	// closed waits for the server to close the connection, within the bound.
	closed := func(t *testing.T, r *bufio.Reader, start time.Time) {
		t.Helper()
		_, err := io.ReadAll(r)
		if err != nil { // a timeout of our own read: the server held the connection
			t.Fatalf("the connection is still open after %v: %v", time.Since(start).Round(time.Millisecond), err)
		}
		t.Logf("closed after %v", time.Since(start).Round(time.Millisecond))
	}
	// answered reads the answer, which must come within the bound with status and code.
	answered := func(t *testing.T, r *bufio.Reader, start time.Time, status int, code string) {
		t.Helper()
		res, err := http.ReadResponse(r, nil)
		if err != nil {
			t.Fatalf("no answer after %v: %v", time.Since(start).Round(time.Millisecond), err)
		}
		defer res.Body.Close()
		var body struct{ Error struct{ Code string } }
		_ = json.NewDecoder(res.Body).Decode(&body)
		if res.StatusCode != status || body.Error.Code != code {
			t.Fatalf("got %d %s, want %d %s", res.StatusCode, body.Error.Code, status, code)
		}
		t.Logf("answered %d %s after %v", status, code, time.Since(start).Round(time.Millisecond))
	}

	t.Run("headers that never end", func(t *testing.T) {
		_, r, start := dial(t, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n")
		closed(t, r, start)
	})
	t.Run("a sign-in whose body stops", func(t *testing.T) {
		_, r, start := dial(t, "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
		answered(t, r, start, http.StatusRequestTimeout, "request_timeout")
		closed(t, r, start)
	})
	t.Run("an idle kept-alive connection", func(t *testing.T) {
		_, r, start := dial(t, "GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n")
		answered(t, r, start, http.StatusOK, "")
		closed(t, r, start)
	})
	t.Run("an upload that stalls", func(t *testing.T) {
		_, r, start := dial(t, upload(1<<20)+"name\n"+strings.Repeat("Acme\n", 400))
		answered(t, r, start, http.StatusRequestTimeout, "request_timeout")
		closed(t, r, start)
	})
	t.Run("an upload that is slow but keeps coming", func(t *testing.T) {
		// 12 KiB in 1 KiB pieces every 100 ms: 1.2 s in all, past the 0.5 s deadline, each piece
		// earning a second at 1 KiB/s.
		var csv strings.Builder
		csv.WriteString("name\n")
		for i := 0; csv.Len() < 12<<10; i++ {
			fmt.Fprintf(&csv, "Slow %06d\n", i)
		}
		body := csv.String()
		conn, r, start := dial(t, upload(len(body)))
		_ = conn.SetReadDeadline(time.Time{})
		for rest := body; rest != ""; {
			piece := rest[:min(1<<10, len(rest))]
			rest = rest[len(piece):]
			time.Sleep(100 * time.Millisecond)
			if _, err := io.WriteString(conn, piece); err != nil {
				t.Fatalf("after %v: %v", time.Since(start), err)
			}
		}
		_ = conn.SetReadDeadline(time.Now().Add(bound))
		answered(t, r, start, http.StatusAccepted, "")
	})

	// The stalled upload left no job and no file: only the slow one is there.
	var jobs struct{ Value []struct{ FileName string } }
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1/imports", nil)
	req.Header.Set("Authorization", "Bearer "+login.Token)
	if res, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	_ = json.NewDecoder(res.Body).Decode(&jobs)
	res.Body.Close()
	if len(jobs.Value) != 1 {
		t.Errorf("%d import jobs, want the slow upload's only", len(jobs.Value))
	}
	if partial, _ := filepath.Glob(filepath.Join(c.DataDir, "imports", "*", "*.upload")); len(partial) > 0 {
		t.Errorf("half-written uploads left: %v", partial)
	}
}
