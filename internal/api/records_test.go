package api_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestRecordCRUD(t *testing.T) {
	s := newServer(t)
	c := s.login()

	// Create: 201, Location, ETag, body with @odata.etag and id.
	r := c.post("accounts", map[string]any{"name": "Contoso", "industry": "technology", "revenue": 1250.5, "employees": 40})
	r.want(http.StatusCreated)
	id := r.str("id")
	if id == "" || r.str("@odata.etag") == "" {
		t.Fatalf("create body: %s", r.raw)
	}
	if loc := r.header.Get("Location"); !strings.HasSuffix(loc, "/api/v1/accounts("+id+")") {
		t.Errorf("Location = %q", loc)
	}
	if r.header.Get("ETag") != r.str("@odata.etag") {
		t.Errorf("ETag header %q, body %q", r.header.Get("ETag"), r.str("@odata.etag"))
	}
	if !strings.Contains(r.str("@odata.context"), "$metadata#accounts") {
		t.Errorf("@odata.context = %q", r.str("@odata.context"))
	}
	if r.str("revenue") != "1250.5000" || r.str("revenue_currency") != "USD" || r.str("employees") != "40" {
		t.Errorf("values as stored: revenue %q %q, employees %q", r.str("revenue"), r.str("revenue_currency"), r.str("employees"))
	}

	// Read with ETag; If-None-Match with the current ETag is 304.
	g := c.get("accounts("+id+")", hdr("X-Request-ID", "req-42")...).want(http.StatusOK)
	if g.header.Get("OData-Version") != "4.0" || g.header.Get("X-Request-ID") != "req-42" ||
		!strings.HasPrefix(g.header.Get("Content-Type"), "application/json") {
		t.Errorf("response headers: %v", g.header)
	}
	etag := g.header.Get("ETag")
	if etag == "" || etag != g.str("@odata.etag") || g.str("name") != "Contoso" {
		t.Fatalf("get: ETag %q, body %s", etag, g.raw)
	}
	nm := c.get("accounts("+id+")", hdr("If-None-Match", etag)...).want(http.StatusNotModified)
	if len(nm.raw) != 0 || nm.header.Get("ETag") != etag {
		t.Errorf("304: ETag %q, body %q", nm.header.Get("ETag"), nm.raw)
	}
	c.get("accounts("+id+")", hdr("If-None-Match", `W/"999999"`)...).want(http.StatusOK)
	c.get("accounts("+id+")", hdr("If-None-Match", `W/"999999", `+etag)...).want(http.StatusNotModified)
	c.get("accounts("+id+")", hdr("If-None-Match", "*")...).want(http.StatusNotModified)
	// Quoted key and $select.
	sel := c.get("accounts('" + id + "')?$select=name").want(http.StatusOK)
	if sel.str("name") != "Contoso" || sel.at("industry") != nil {
		t.Errorf("$select=name: %s", sel.raw)
	}

	// PATCH partial: 204 with a new ETag; other fields stay.
	p := c.patch("accounts("+id+")", map[string]any{"city": "Shanghai"}, hdr("If-Match", etag)...).want(http.StatusNoContent)
	etag2 := p.header.Get("ETag")
	if etag2 == "" || etag2 == etag {
		t.Fatalf("PATCH ETag %q (was %q)", etag2, etag)
	}
	g = c.get("accounts(" + id + ")").want(http.StatusOK)
	if g.str("city") != "Shanghai" || g.str("industry") != "technology" || g.header.Get("ETag") != etag2 {
		t.Errorf("after PATCH: %s", g.raw)
	}

	// Stale If-Match: 412, nothing changed.
	c.patch("accounts("+id+")", map[string]any{"city": "Beijing"}, hdr("If-Match", etag)...).
		wantError(http.StatusPreconditionFailed, "etag_mismatch", "-")
	g = c.get("accounts(" + id + ")").want(http.StatusOK)
	if g.str("city") != "Shanghai" || g.header.Get("ETag") != etag2 {
		t.Errorf("a stale PATCH changed the record: %s", g.raw)
	}

	// return=representation: 200 with the record.
	rep := c.patch("accounts("+id+")", map[string]any{"employees": 41}, hdr("Prefer", "return=representation")...).want(http.StatusOK)
	if rep.str("employees") != "41" || rep.str("name") != "Contoso" || rep.str("@odata.etag") == "" ||
		rep.header.Get("Preference-Applied") != "return=representation" {
		t.Errorf("return=representation: %v %s", rep.header, rep.raw)
	}

	// return=minimal on create: 204 with the entity id.
	mr := c.post("accounts", map[string]any{"name": "Minimal"}, hdr("Prefer", "return=minimal")...).want(http.StatusNoContent)
	if mr.header.Get("OData-EntityId") == "" || mr.header.Get("Location") == "" {
		t.Errorf("return=minimal headers: %v", mr.header)
	}

	// DELETE with a stale ETag fails, then succeeds; afterwards the record is gone.
	c.delete("accounts("+id+")", hdr("If-Match", etag)...).wantError(http.StatusPreconditionFailed, "etag_mismatch", "-")
	c.delete("accounts(" + id + ")").want(http.StatusNoContent)
	c.get("accounts("+id+")").wantError(http.StatusNotFound, "not_found", "-")
	c.delete("accounts("+id+")").wantError(http.StatusNotFound, "not_found", "-")
	c.patch("accounts("+id+")", map[string]any{"city": "x"}).wantError(http.StatusNotFound, "not_found", "-")
	c.get("accounts(not-a-guid)").wantError(http.StatusNotFound, "not_found", "-")
}

func TestUpsertAndAlternateKey(t *testing.T) {
	s := newServer(t)
	c := s.login()

	r := c.patch("accounts(account_number='A-100')", map[string]any{"name": "Upserted"}).want(http.StatusCreated)
	id := r.str("id")
	if r.str("account_number") != "A-100" || id == "" {
		t.Fatalf("upsert create: %s", r.raw)
	}
	if !strings.HasSuffix(r.header.Get("Location"), "accounts("+id+")") {
		t.Errorf("Location = %q", r.header.Get("Location"))
	}
	c.patch("accounts(account_number='A-100')", map[string]any{"city": "Hangzhou"}).want(http.StatusNoContent)
	if n := c.count("accounts"); n != 1 {
		t.Errorf("%d accounts after create+update upsert, want 1", n)
	}

	g := c.get("accounts(account_number='A-100')").want(http.StatusOK)
	if g.str("id") != id || g.str("city") != "Hangzhou" || g.str("name") != "Upserted" {
		t.Errorf("get by key: %s", g.raw)
	}
	// A quote in a key value is doubled in the URL.
	c.patch("accounts(account_number='O''Brien')", map[string]any{"name": "Quote"}).want(http.StatusCreated)
	if q := c.get("accounts(account_number='O''Brien')").want(200); q.str("account_number") != "O'Brien" {
		t.Errorf("quoted key: %s", q.raw)
	}

	c.get("accounts(account_number='nope')").wantError(http.StatusNotFound, "not_found", "-")
	c.get("accounts(city='Hangzhou')").wantError(http.StatusBadRequest, "invalid_key", "-")
	c.patch("accounts(account_number='A-200')", map[string]any{"name": "x", "account_number": "A-300"}).
		wantError(http.StatusBadRequest, "key_mismatch", "account_number")
	// If-Match on a missing key forbids creating; If-None-Match: * forbids updating.
	c.patch("accounts(account_number='A-201')", map[string]any{"name": "x"}, hdr("If-Match", "*")...).
		wantError(http.StatusNotFound, "not_found", "-")
	c.patch("accounts(account_number='A-100')", map[string]any{"name": "x"}, hdr("If-None-Match", "*")...).
		wantError(http.StatusPreconditionFailed, "already_exists", "-")

	c.delete("accounts(account_number='A-100')").want(http.StatusNoContent)
	c.get("accounts(" + id + ")").want(http.StatusNotFound)
}
