package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/exchange"
)

// importServer is a server whose import runner keeps its files in a temporary directory.
func importServer(t *testing.T) (*server, *client) {
	t.Helper()
	s, c, _ := importServerWith(t, exchange.Limits{})
	return s, c
}

// importServerWith is importServer with import limits (zero fields: the defaults); it also
// returns the runner's data directory.
func importServerWith(t *testing.T, lim exchange.Limits) (*server, *client, string) {
	t.Helper()
	s := newServer(t)
	s.app.Imports.Close()
	im := exchange.NewImporter(s.app.Records)
	im.Duplicates = s.app.API.Dedupe.DescribeMany
	im.Limits = lim
	dir := t.TempDir()
	r := exchange.NewRunner(im, dir, s.app.Log)
	s.app.Imports, s.app.API.Imports = r, r
	return s, s.login(), dir
}

// send makes a request with a raw body and content type (the JSON helper cannot).
func (c *client) send(method, path, contentType string, body []byte) *response {
	c.t.Helper()
	req, err := http.NewRequest(method, c.url(path), bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.s.srv.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return readResponse(c.t, method, path, res)
}

// waitImport polls an import until it is no longer queued or running.
func (c *client) waitImport(id string) *response {
	c.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := c.get("imports/" + id).want(http.StatusOK)
		if st := r.str("status"); st != "queued" && st != "running" {
			return r
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("import %s still %s: %s", id, r.str("status"), r.raw)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestImportOverHTTP: upload a CSV, follow the job to its end, read the error file.
func TestImportOverHTTP(t *testing.T) {
	s, c := importServer(t)
	c.create("accounts", map[string]any{"name": "Existing", "account_number": "A-9"})
	file := "\ufeff客户名称,客户编号,行业,年收入\n上海贸易,A-1,零售,\"1,000\"\n,A-2,科技,\n杭州科技,A-9,科技,\n北京金融,A-3,金融服务,5\n"
	r := c.send("POST", "imports?entity=accounts&batch_size=2&name=客户.csv", "text/csv", []byte(file)).want(http.StatusAccepted)
	id := r.str("id")
	if loc := r.header.Get("Location"); loc != "/api/v1/imports/"+id || r.str("entity") != "accounts" {
		t.Fatalf("location %q, body %s", loc, r.raw)
	}
	r = c.waitImport(id)
	if r.str("status") != "done" || r.str("progress") != "100" || r.str("rows_total") != "4" || r.str("rows_done") != "4" ||
		r.str("created") != "2" || r.str("failed") != "2" || r.str("file_name") != "客户.csv" {
		t.Fatalf("finished job %s", r.raw)
	}
	url := r.str("error_file_url")
	if url != "/api/v1/imports/"+id+"/errors" {
		t.Fatalf("error_file_url %q", url)
	}
	e := c.get(url).want(http.StatusOK)
	if !strings.HasPrefix(e.header.Get("Content-Type"), "text/csv") || !bytes.HasPrefix(e.raw, []byte("\ufeff")) {
		t.Fatalf("error file %q %q", e.header.Get("Content-Type"), e.raw)
	}
	rows, err := csv.NewReader(bytes.NewReader(e.raw[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != "客户名称,客户编号,行业,年收入,_line,_column,_code,_error" ||
		rows[1][4] != "3" || rows[1][6] != "required" || rows[2][4] != "4" || rows[2][6] != "duplicate_existing" {
		t.Fatalf("error rows %v", rows)
	}
	if n := c.count("accounts"); n != 3 {
		t.Fatalf("%d accounts", n)
	}
	list := c.get("imports").want(http.StatusOK)
	if got := list.values(); len(got) != 1 || field(got[0], "id") != id {
		t.Fatalf("list %s", list.raw)
	}
	c.delete("imports/"+id).wantError(http.StatusConflict, "import_finished", "")
	c.get("imports/not-a-uuid").wantError(http.StatusNotFound, "not_found", "")

	// Another tenant sees nothing of it.
	ctx := context.Background()
	tn, err := s.app.EnsureTenant(ctx, "other", "Other")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.app.CreateUser(ctx, tn.ID, "o@example.com", "O", adminPassword, access.AdminRole); err != nil {
		t.Fatal(err)
	}
	o := s.anon()
	o.token = o.do("POST", "auth/login", map[string]any{"email": "o@example.com", "password": adminPassword, "tenant": "other"}).want(http.StatusOK).str("token")
	o.get("imports/"+id).wantError(http.StatusNotFound, "not_found", "")
	o.get(url).wantError(http.StatusNotFound, "not_found", "")
	if got := o.get("imports").want(http.StatusOK).values(); len(got) != 0 {
		t.Fatalf("the other tenant lists %d imports", len(got))
	}
}

// TestImportOverHTTPMultipartAndXLSX: a multipart upload with a mapping file, and a raw XLSX
// dry run that keeps nothing.
func TestImportOverHTTPMultipartAndXLSX(t *testing.T) {
	_, c := importServer(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("entity", "accounts")
	_ = mw.WriteField("upsert_key", "account_number")
	_ = mw.WriteField("mapping", "columns:\n  Account Name: name\n  Account Number: account_number\n  Billing City: city\n")
	fw, _ := mw.CreateFormFile("file", "salesforce.csv")
	_, _ = fw.Write([]byte("Account Name,Account Number,Billing City,Rating\nAcme,SF-1,Paris,Hot\nBeta,SF-2,Rome,Cold\n"))
	_ = mw.Close()
	r := c.send("POST", "imports", mw.FormDataContentType(), body.Bytes()).want(http.StatusAccepted)
	r = c.waitImport(r.str("id"))
	if r.str("status") != "done" || r.str("created") != "2" || r.str("upsert_key.0") != "account_number" ||
		r.str("warnings.0") != "unmapped columns (ignored): Rating" || r.at("error_file_url") != nil {
		t.Fatalf("multipart import %s", r.raw)
	}
	f := excelize.NewFile()
	_ = f.SetSheetRow("Sheet1", "A1", &[]any{"Account name", "City"})
	_ = f.SetSheetRow("Sheet1", "A2", &[]any{"Gamma", "Oslo"})
	_ = f.SetSheetRow("Sheet1", "A3", &[]any{nil, "Nowhere"})
	var xb bytes.Buffer
	_ = f.Write(&xb)
	r = c.send("POST", "imports?entity=accounts&dry_run=true", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", xb.Bytes()).want(http.StatusAccepted)
	r = c.waitImport(r.str("id"))
	if r.str("status") != "done" || r.str("format") != "xlsx" || r.str("dry_run") != "true" || r.str("created") != "1" || r.str("failed") != "1" {
		t.Fatalf("xlsx dry run %s", r.raw)
	}
	if n := c.count("accounts"); n != 2 {
		t.Fatalf("the dry run kept records: %d accounts", n)
	}
	c.get(r.str("error_file_url")).want(http.StatusOK)
}

// TestImportOverHTTPErrors: authentication, and problems reported before any job starts.
func TestImportOverHTTPErrors(t *testing.T) {
	s, c := importServer(t)
	anon := s.anon()
	anon.send("POST", "imports?entity=accounts", "text/csv", []byte("name\nx\n")).wantError(http.StatusUnauthorized, "unauthenticated", "")
	anon.get("imports").wantError(http.StatusUnauthorized, "unauthenticated", "")
	cases := []struct {
		path, ctype, body string
		status            int
		code, target      string
	}{
		{"imports", "text/csv", "name\nx\n", 400, "required", "entity"},
		{"imports?entity=widgets", "text/csv", "name\nx\n", 400, "unknown_entity", "entity"},
		{"imports?entity=accounts", "text/csv", "", 400, "empty_file", ""},
		{"imports?entity=accounts", "text/csv", "foo,bar\n1,2\n", 400, "no_columns", ""},
		{"imports?entity=accounts", "text/csv", "city\nx\n", 400, "missing_column", ""},
		{"imports?entity=accounts&upsert_key=city", "text/csv", "name,city\nx,y\n", 400, "invalid_key", "upsert_key"},
		{"imports?entity=accounts&dry_run=maybe", "text/csv", "name\nx\n", 400, "invalid_value", "dry_run"},
		{"imports?entity=accounts", "application/json", `{"name":"x"}`, 400, "unsupported_format", ""},
	}
	for _, tc := range cases {
		c.send("POST", tc.path, tc.ctype, []byte(tc.body)).wantError(tc.status, tc.code, tc.target)
	}
	// A multipart field after the file would be ignored: it is refused, and nothing is kept.
	var late bytes.Buffer
	mw := multipart.NewWriter(&late)
	_ = mw.WriteField("entity", "accounts")
	fw, _ := mw.CreateFormFile("file", "a.csv")
	_, _ = fw.Write([]byte("Account Name\nAcme\n"))
	_ = mw.WriteField("mapping", "columns: {Account Name: name}")
	_ = mw.Close()
	c.send("POST", "imports", mw.FormDataContentType(), late.Bytes()).wantError(http.StatusBadRequest, "invalid_upload", "mapping")
	s.app.Imports.MaxBytes = 10
	c.send("POST", "imports?entity=accounts", "text/csv", []byte("name\nlonger than ten bytes\n")).wantError(http.StatusRequestEntityTooLarge, "payload_too_large", "")
	if got := c.get("imports").want(http.StatusOK).values(); len(got) != 0 {
		t.Fatalf("refused uploads left %d jobs", len(got))
	}
}
