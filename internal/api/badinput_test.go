package api_test

import (
	"bufio"
	"bytes"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/app"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/store/storetest"
)

// outcome is what a request got: the status, and the error's code and target.
type outcome struct {
	status       int
	code, target string
}

func (o outcome) String() string { return fmt.Sprintf("%d %s (target %q)", o.status, o.code, o.target) }

// outcomeOf reads the outcome of r; at, when set, names one operation of a $batch answer
// ("responses.0"), whose own status and error count.
func outcomeOf(r *response, at string) outcome {
	if at == "" {
		return outcome{r.status, r.str("error.code"), r.str("error.target")}
	}
	st, _ := strconv.Atoi(r.str(at + ".status"))
	return outcome{st, r.str(at + ".body.error.code"), r.str(at + ".body.error.target")}
}

// TestBadInput is the suite of hostile or broken inputs that once answered 5xx (on PostgreSQL, on
// SQLite, or on both): each must be a client error with the standard error body — a stable code
// and the field at fault — the same on both databases, and must log no server error. A few
// inputs at the limits are in the table too, to show that the limits leave room for everything
// both databases can run.
func TestBadInput(t *testing.T) {
	s := (&server{t: t, dsn: storetest.DSN(t), configure: func(c *app.Config) { c.DataDir = t.TempDir() }}).run()
	admin := s.login()
	anon := s.anon()
	acc := admin.create("accounts", map[string]any{"name": "Contoso", "account_number": "A-1", "employees": 10})
	admin.create("accounts", map[string]any{"name": "Fabrikam", "account_number": "A-2", "employees": 20})

	list := func(item string, n int) string { return strings.TrimSuffix(strings.Repeat(item+",", n), ",") }
	chain := func(term, op string, n int) string { // n terms joined by op
		return strings.TrimSuffix(strings.Repeat(term+" "+op+" ", n), " "+op+" ")
	}
	q := func(s string) string { return strings.ReplaceAll(s, " ", "%20") }
	attrs := func(n int, typ string) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"name": fmt.Sprintf("f%d", i), "type": typ}
		}
		return out
	}
	bad := func(status int, code, target string) outcome { return outcome{status, code, target} }
	ok := func(status int) outcome { return outcome{status: status} }
	nul := func(target string) outcome { return bad(http.StatusBadRequest, "invalid_character", target) }
	tooComplex := func(target string) outcome { return bad(http.StatusBadRequest, query.TooComplex, target) }

	cases := []struct {
		name string
		send func() *response
		at   string // a $batch operation, e.g. "responses.0"
		want outcome
	}{
		// The NUL character, wherever text comes in.
		{"NUL in a created record", func() *response { return admin.post("accounts", `{"name":"a\u0000b"}`) }, "", nul("name")},
		{"NUL in an update", func() *response { return admin.patch("accounts("+acc+")", `{"city":"Shang\u0000hai"}`) }, "", nul("city")},
		{"NUL in an upsert", func() *response { return admin.patch("accounts(account_number='N-1')", `{"name":"a\u0000"}`) }, "", nul("name")},
		{"NUL in a $batch body", func() *response {
			return admin.post("$batch", `{"requests":[{"id":"1","method":"POST","url":"accounts","body":{"name":"ok"}},`+
				`{"id":"2","method":"POST","url":"accounts","body":{"name":"a\u0000b"}}]}`)
		}, "", nul("requests[1].body.name")},
		{"NUL in a $batch operation's key", func() *response {
			return admin.post("$batch", `{"requests":[{"id":"1","method":"GET","url":"accounts(account_number='a%00b')"}]}`)
		}, "responses.0", nul("account_number")},
		{"NUL in an alternate key", func() *response { return admin.get("accounts(account_number='a%00b')") }, "", nul("account_number")},
		{"NUL in an upserted alternate key", func() *response {
			return admin.patch("accounts(account_number='a%00b')", map[string]any{"name": "x"})
		}, "", nul("account_number")},
		{"NUL in an id", func() *response { return admin.get("accounts('a%00b')") }, "", nul("id")},
		{"NUL in a $filter literal", func() *response { return admin.get("accounts?$filter=name%20eq%20'a%00b'") }, "", nul("$filter")},
		{"NUL in a search", func() *response { return admin.get("search?q=a%00b") }, "", nul("q")},
		{"NUL in a saved view's name", func() *response {
			return admin.post("views", `{"entity":"accounts","name":"mine\u0000"}`)
		}, "", nul("name")},
		{"NUL in a saved view's filter model", func() *response {
			return admin.post("views", `{"entity":"accounts","name":"v","filter_model":{"rows":[{"value":"\u0000"}]}}`)
		}, "", nul("filter_model.rows[0].value")},
		{"NUL in an API key's name", func() *response { return admin.post("auth/apikeys", `{"name":"k\u0000"}`) }, "", nul("name")},
		{"NUL in an entity's display name", func() *response {
			return admin.post("metadata/entities", `{"name":"thing","display_name":{"en":"T\u0000"}}`)
		}, "", nul("display_name.en")},
		{"NUL in a sign-in's email", func() *response {
			return anon.post("auth/login", `{"email":"a\u0000@example.com","password":"correct horse"}`)
		}, "", nul("email")},
		{"NUL in a sign-in's tenant", func() *response {
			return anon.post("auth/login", `{"email":"a@example.com","password":"correct horse","tenant":"t\u0000"}`)
		}, "", nul("tenant")},
		{"NUL in a single sign-on path", func() *response { return anon.get("auth/oidc/a%00b/corp/login") }, "", nul("path")},
		{"NUL in a query parameter", func() *response { return anon.get("accounts?tenant=a%00") }, "", nul("tenant")},
		{"NUL in an import's form field", func() *response {
			ct, body := multipartBody(t, map[string]string{"entity": "accounts", "name": "a\x00.csv"}, "name\nx\n")
			return admin.send("POST", "imports", ct, body)
		}, "", nul("name")},
		{"an escaped backslash before u0000 is text", func() *response { return admin.post("accounts", `{"name":"a\\u0000b"}`) }, "", ok(http.StatusCreated)},

		// Query limits (internal/query: MaxExprDepth, MaxListItems).
		{"998 or", func() *response {
			return admin.get("accounts?$filter=" + q(chain("employees eq 1", "or", 998)))
		}, "", tooComplex("$filter")},
		{"10,000 add", func() *response {
			return admin.get("accounts?$filter=employees+eq+1" + strings.Repeat("+add+1", 10000))
		}, "", tooComplex("$filter")},
		{"2,000 $orderby keys", func() *response { return admin.get("accounts?$orderby=" + list("name", 2000)) }, "", tooComplex("$orderby")},
		{"2,000 $apply steps", func() *response {
			return admin.get("accounts?$apply=" + strings.Repeat(q("filter(employees gt 0)/"), 1999) + "groupby((city))")
		}, "", tooComplex("$apply")},
		{"2,000 grouping properties", func() *response {
			return admin.get("accounts?$apply=groupby((" + list("city", 2000) + "))")
		}, "", tooComplex("$apply")},
		{"2,000 aggregates", func() *response {
			items := make([]string, 2000)
			for i := range items {
				items[i] = fmt.Sprintf("employees with sum as s%d", i)
			}
			return admin.get("accounts?$apply=aggregate(" + q(strings.Join(items, ",")) + ")")
		}, "", tooComplex("$apply")},
		{"the deepest or chain allowed", func() *response {
			return admin.get("accounts?$filter=" + q(chain("name eq 'x'", "or", query.MaxExprDepth-1)))
		}, "", ok(http.StatusOK)},
		{"the deepest arithmetic allowed", func() *response {
			return admin.get("accounts?$filter=employees" + strings.Repeat("+add+1", query.MaxExprDepth-2) + "+eq+1")
		}, "", ok(http.StatusOK)},
		{"the longest $orderby, paged by its keyset", func() *response {
			keys := make([]string, query.MaxListItems)
			for i := range keys {
				keys[i] = []string{"name desc", "city", "revenue desc", "employees"}[i%4]
			}
			r := admin.get("accounts?$orderby="+q(strings.Join(keys, ",")), hdr("Prefer", "odata.maxpagesize=1")...)
			if r.status != http.StatusOK || r.str("@odata.nextLink") == "" {
				return r
			}
			return admin.get(r.str("@odata.nextLink"))
		}, "", ok(http.StatusOK)},
		{"the longest $apply", func() *response {
			deep := chain("employees gt 0", "and", query.MaxExprDepth-1) // each step as deep as allowed
			aggs := make([]string, query.MaxListItems)
			for i := range aggs {
				aggs[i] = fmt.Sprintf("employees with sum as s%d", i)
			}
			return admin.get("accounts?$apply=" + strings.Repeat(q("filter("+deep+")/"), query.MaxListItems-1) +
				"groupby((" + list("city", query.MaxListItems) + ")," + q("aggregate("+strings.Join(aggs, ",")+")") + ")")
		}, "", ok(http.StatusOK)},

		// Attributes per entity (metadata.MaxAttributes, companions counted).
		{"an entity of 2,000 attributes", func() *response {
			return admin.post("metadata/entities", map[string]any{"name": "huge", "attributes": attrs(2000, "string")})
		}, "", bad(http.StatusBadRequest, "too_many_attributes", "attributes")},
		{"an entity of 999 attributes", func() *response {
			return admin.post("metadata/entities", map[string]any{"name": "wide", "attributes": attrs(999, "string")})
		}, "", ok(http.StatusCreated)},
		{"a money attribute past the limit (it brings its currency)", func() *response {
			return admin.post("metadata/entities/wide/attributes", map[string]any{"name": "budget", "type": "money"})
		}, "", bad(http.StatusBadRequest, "too_many_attributes", "attributes")},
		{"the last attribute allowed", func() *response {
			return admin.post("metadata/entities/wide/attributes", map[string]any{"name": "last", "type": "string"})
		}, "", ok(http.StatusCreated)},
		{"one attribute past the limit", func() *response {
			return admin.post("metadata/entities/wide/attributes", map[string]any{"name": "one_more", "type": "string"})
		}, "", bad(http.StatusBadRequest, "too_many_attributes", "attributes")},
		{"a record of the widest entity", func() *response {
			vals := map[string]any{}
			for i := 0; i < 999; i++ {
				vals[fmt.Sprintf("f%d", i)] = "v"
			}
			id := admin.create("wides", vals)
			return admin.get("wides(" + id + ")")
		}, "", ok(http.StatusOK)},

		// Bodies that break off: the client closes the connection before the announced length.
		{"a record body cut short", func() *response {
			return s.sendPartial(admin.token, "POST", "/api/v1/accounts", "application/json", 1000, []byte(`{"name":"Con`))
		}, "", bad(http.StatusBadRequest, "incomplete_body", "")},
		{"a $batch body cut short", func() *response {
			return s.sendPartial(admin.token, "POST", "/api/v1/$batch", "application/json", 10000, []byte(`{"requests":[{"id":"1",`))
		}, "", bad(http.StatusBadRequest, "incomplete_body", "")},
		{"a sign-in cut short", func() *response {
			return s.sendPartial("", "POST", "/api/v1/auth/login", "application/json", 100, []byte(`{`))
		}, "", bad(http.StatusBadRequest, "incomplete_body", "")},
		{"an upload cut short", func() *response {
			return s.sendPartial(admin.token, "POST", "/api/v1/imports?entity=accounts", "text/csv", 1<<20, []byte("name\nAcme\nBeta\n"))
		}, "", bad(http.StatusBadRequest, "incomplete_body", "")},
		{"a multipart upload cut short", func() *response {
			ct, body := multipartBody(t, map[string]string{"entity": "accounts"}, strings.Repeat("name\nAcme\n", 1000))
			return s.sendPartial(admin.token, "POST", "/api/v1/imports", ct, len(body), body[:len(body)/2])
		}, "", bad(http.StatusBadRequest, "incomplete_body", "")},
	}
	for _, tc := range cases {
		errorsBefore := strings.Count(s.logs.String(), "level=ERROR")
		got := outcomeOf(tc.send(), tc.at)
		if got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
		if n := strings.Count(s.logs.String(), "level=ERROR") - errorsBefore; n > 0 {
			t.Errorf("%s: %d server errors logged", tc.name, n)
		}
	}

	// What was refused left nothing behind: no import job, no uploaded file.
	if r := admin.get("imports").want(http.StatusOK); len(r.values()) != 0 {
		t.Errorf("imports left behind: %s", r.raw)
	}
	files, _ := filepath.Glob(filepath.Join(s.app.Config.DataDir, "imports", "*", "*"))
	if len(files) > 0 {
		t.Errorf("files left behind: %v", files)
	}
	if n := admin.count("accounts"); n != 3 { // Contoso, Fabrikam and the escaped backslash
		t.Errorf("%d accounts, want 3", n)
	}
}

// multipartBody builds an import form with fields and a file part.
func multipartBody(t *testing.T, fields map[string]string, file string) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", "upload.csv")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write([]byte(file))
	_ = mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

// sendPartial sends a request over a plain TCP connection whose body stops after part of the
// announced length; then it closes the sending side, as a client whose connection drops, and
// reads the answer.
func (s *server) sendPartial(token, method, path, contentType string, announced int, part []byte) *response {
	s.t.Helper()
	conn, err := net.Dial("tcp", s.srv.Listener.Addr().String())
	if err != nil {
		s.t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second)) // a hung server fails the test, not the run
	head := method + " " + path + " HTTP/1.1\r\nHost: meridian.test\r\nContent-Type: " + contentType +
		"\r\nContent-Length: " + strconv.Itoa(announced) + "\r\n"
	if token != "" {
		head += "Authorization: Bearer " + token + "\r\n"
	}
	if _, err := conn.Write(append([]byte(head+"\r\n"), part...)); err != nil {
		s.t.Fatal(err)
	}
	if err := conn.(*net.TCPConn).CloseWrite(); err != nil {
		s.t.Fatal(err)
	}
	req, _ := http.NewRequest(method, path, nil)
	res, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		s.t.Fatalf("%s %s cut short: no answer: %v", method, path, err)
	}
	return readResponse(s.t, method, path, res)
}
