package api_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/exchange"
)

// accountRole creates a security role granting privileges on accounts at user depth.
func accountRole(admin *client, name string, privileges ...string) {
	var ps []map[string]any
	for _, p := range privileges {
		ps = append(ps, map[string]any{"entity": "account", "privilege": p, "depth": "user"})
	}
	admin.post("security/roles", map[string]any{"name": name, "privileges": ps}).want(http.StatusCreated)
}

// TestImportNeedsCreatePrivilege: starting an import needs the create privilege on the entity,
// and an upsert the write privilege too; a user without them gets 403 before anything of the
// file is stored (raw body or multipart).
func TestImportNeedsCreatePrivilege(t *testing.T) {
	s, admin, dir := importServerWith(t, exchange.Limits{})
	accountRole(admin, "Clerk", "create", "read")
	accountRole(admin, "Reader", "read")
	nobody, _ := s.userClient("nobody@example.com")
	reader, _ := s.userClient("reader@example.com", "Reader")
	clerk, _ := s.userClient("clerk@example.com", "Clerk")
	file := []byte("name,account_number\nAcme,A-1\n")
	for _, u := range []*client{nobody, reader} {
		u.send("POST", "imports?entity=accounts", "text/csv", file).wantError(http.StatusForbidden, "access_denied", "")
		ctype, body := uploadBody(map[string]string{"entity": "accounts"}, "a.csv", file)
		u.send("POST", "imports", ctype, body).wantError(http.StatusForbidden, "access_denied", "")
	}
	clerk.send("POST", "imports?entity=accounts&upsert_key=account_number", "text/csv", file).wantError(http.StatusForbidden, "access_denied", "")
	if files := storedFiles(t, dir, true); len(files) != 0 {
		t.Fatalf("refused uploads stored something: %v", files)
	}
	r := clerk.send("POST", "imports?entity=accounts", "text/csv", file).want(http.StatusAccepted)
	if r = clerk.waitImport(r.str("id")); r.str("status") != "done" || r.str("created") != "1" {
		t.Fatalf("clerk's import %s", r.raw)
	}
}

// TestImportJobsVisibleToStarterAndAdmins: a job, its error file and cancelling it are for the
// user who started it and the tenant's administrators; to other users of the tenant — with the
// same role, or none — the job does not exist (404, and it is not listed).
func TestImportJobsVisibleToStarterAndAdmins(t *testing.T) {
	s, admin, _ := importServerWith(t, exchange.Limits{})
	accountRole(admin, "Rep", "create", "read", "write")
	alice, _ := s.userClient("alice@example.com", "Rep")
	bob, _ := s.userClient("bob@example.com", "Rep")
	nobody, _ := s.userClient("nobody@example.com")
	r := alice.send("POST", "imports?entity=accounts", "text/csv", []byte("name,city\nAcme,Paris\n,Rome\n")).want(http.StatusAccepted)
	id := r.str("id")
	r = alice.waitImport(id)
	url := r.str("error_file_url")
	if r.str("status") != "done" || url == "" {
		t.Fatalf("job %s", r.raw)
	}
	for _, u := range []*client{bob, nobody} {
		u.get("imports/"+id).wantError(http.StatusNotFound, "not_found", "")
		u.get(url).wantError(http.StatusNotFound, "not_found", "")
		u.delete("imports/"+id).wantError(http.StatusNotFound, "not_found", "")
		if got := u.get("imports").want(http.StatusOK).values(); len(got) != 0 {
			t.Fatalf("another user lists %d imports", len(got))
		}
	}
	for _, u := range []*client{alice, admin} {
		u.get("imports/" + id).want(http.StatusOK)
		if e := u.get(url).want(http.StatusOK); !bytes.Contains(e.raw, []byte(",Rome,")) {
			t.Fatalf("error file %q", e.raw)
		}
		if got := u.get("imports").want(http.StatusOK).values(); len(got) != 1 || field(got[0], "id") != id {
			t.Fatalf("list %v", got)
		}
	}
	// Bob's own job is his; the administrator sees both.
	bob.send("POST", "imports?entity=accounts", "text/csv", []byte("name\nBeta\n")).want(http.StatusAccepted)
	if got := alice.get("imports").want(http.StatusOK).values(); len(got) != 1 {
		t.Fatalf("alice lists %d imports", len(got))
	}
	if got := admin.get("imports").want(http.StatusOK).values(); len(got) != 2 {
		t.Fatalf("the administrator lists %d imports", len(got))
	}
}

// TestImportErrorFileHidesSecuredValues: in a downloaded error file, the cells of a column under
// field-level security are blank for a reader whose field security profiles do not grant
// reading it, and the messages of rows at fault in that column (which quote the value) are
// hidden; an administrator, or the same user once a profile grants read, gets them.
func TestImportErrorFileHidesSecuredValues(t *testing.T) {
	s, admin, _ := importServerWith(t, exchange.Limits{})
	admin.patch("metadata/entities/account/attributes/revenue", map[string]any{"secured": true}).want(http.StatusOK)
	accountRole(admin, "Rep", "create", "read")
	alice, aliceID := s.userClient("alice@example.com", "Rep")
	file := "Account name,Annual revenue,City\nAcme,1000000,Paris\n,secret-42,Rome\nBeta,,=Oslo\n"
	r := alice.send("POST", "imports?entity=accounts", "text/csv", []byte(file)).want(http.StatusAccepted)
	r = alice.waitImport(r.str("id"))
	url := r.str("error_file_url")
	if r.str("status") != "done" || r.str("failed") != "2" || r.str("created") != "1" || url == "" {
		t.Fatalf("job %s", r.raw)
	}
	read := func(c *client) [][]string {
		t.Helper()
		e := c.get(url).want(http.StatusOK)
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(e.raw, []byte("\ufeff")))).ReadAll()
		if err != nil || len(rows) != 3 {
			t.Fatalf("error file %q: %v", e.raw, err)
		}
		return rows
	}
	rows := read(alice)
	if rows[0][1] != "Annual revenue" || rows[1][1] != "" || rows[2][1] != "" || rows[1][0] != "Acme" || rows[2][2] != "Rome" {
		t.Fatalf("alice reads the secured column: %q", rows)
	}
	for _, row := range rows[1:] {
		if strings.Contains(row[6], "secret-42") || strings.Contains(row[6], "1000000") || !strings.HasPrefix(row[6], "hidden:") {
			t.Fatalf("alice reads a message about the secured column: %q", rows)
		}
	}
	if rows := read(admin); rows[1][1] != "1000000" || rows[2][1] != "secret-42" || !strings.Contains(rows[2][6], "secret-42") {
		t.Fatalf("the administrator reads %q", rows)
	}
	p := admin.post("security/field-profiles", map[string]any{"name": "Revenue readers", "permissions": []map[string]any{
		{"entity": "account", "attribute": "revenue", "read": true},
	}}).want(http.StatusCreated)
	admin.post("security/field-profiles/"+p.str("id")+"/members", map[string]any{"principal_id": aliceID}).want(http.StatusNoContent, http.StatusOK, http.StatusCreated)
	if rows := read(alice); rows[1][1] != "1000000" || rows[2][1] != "secret-42" {
		t.Fatalf("alice, granted read, reads %q", rows)
	}
}
