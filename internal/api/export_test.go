package api_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestExportDownload: $format=csv|jsonl|xlsx on an entity set streams the whole filtered result
// as a file, past the page size; bad queries still get a JSON error.
func TestExportDownload(t *testing.T) {
	s := newServer(t)
	c := s.login()
	for _, city := range []string{"上海", "Beijing", "上海", "上海"} {
		c.create("accounts", map[string]any{"name": "Acme " + city, "city": city, "revenue": 12.5})
	}
	q := "accounts?$format=csv&$select=name,revenue&$orderby=name&$filter=" + url.QueryEscape("city eq '上海'")
	r := c.get(q, hdr("Prefer", "odata.maxpagesize=1")...).want(http.StatusOK)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("content type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, `filename="accounts.csv"`) {
		t.Fatalf("content disposition %q", cd)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(r.raw, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || strings.Join(rows[0], ",") != "id,version,name,revenue,revenue_currency" || rows[1][3] != "12.5000" {
		t.Fatalf("csv rows %v", rows)
	}
	r = c.get("accounts?$format=jsonl").want(http.StatusOK)
	if n := strings.Count(string(r.raw), "\n"); n != 4 {
		t.Fatalf("jsonl has %d lines, want 4", n)
	}
	r = c.get("accounts?$format=xlsx").want(http.StatusOK)
	if !bytes.HasPrefix(r.raw, []byte("PK")) {
		t.Fatal("xlsx is not a zip package")
	}
	c.get("accounts?$format=csv&$filter="+url.QueryEscape("nope eq 1")).wantError(http.StatusBadRequest, "unknown_field", "$filter")
	c.get("accounts?$format=pdf").wantError(http.StatusBadRequest, "unsupported_format", "$format")
	id := c.create("accounts", map[string]any{"name": "One"})
	c.get("accounts("+id+")?$format=csv").wantError(http.StatusBadRequest, "unsupported_format", "$format")
	s.anon().get("accounts?$format=csv").wantError(http.StatusUnauthorized, "unauthenticated", "")
}
