package audit_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/audit"
)

// chain writes n audited changes in the env's tenant.
func (e *env) chain(n int) {
	e.t.Helper()
	for i := range n {
		e.create("account", fmt.Sprintf(`{"name":"Account %d"}`, i))
	}
}

// breaksOf returns "kind@seq" of each break, for comparison.
func breaksOf(bs []audit.Break) []string {
	var out []string
	for _, b := range bs {
		out = append(out, fmt.Sprintf("%s@%d", b.Kind, b.Seq))
	}
	return out
}

func TestVerifyDetectsTampering(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(e *env, ph func(int) string)
		want   []string // kind@seq of the breaks
	}{
		{"intact", func(*env, func(int) string) {}, nil},
		{"edited changes", func(e *env, ph func(int) string) {
			e.exec(`UPDATE audit_log SET changes = '{"name":"Mallory"}' WHERE tenant_id = `+ph(1)+` AND seq = 3`, e.tenant)
		}, []string{"edited@3"}},
		{"edited user name", func(e *env, ph func(int) string) {
			e.exec(`UPDATE audit_log SET user_name = 'someone else' WHERE tenant_id = `+ph(1)+` AND seq = 2`, e.tenant)
		}, []string{"edited@2"}},
		{"edited and rehashed", func(e *env, ph func(int) string) {
			// An attacker who recomputes the edited entry's hash breaks the next entry's link.
			en := e.list("$filter=seq eq 3")[0]
			en.TenantID, en.UserName = e.tenant, "Mallory"
			e.exec(`UPDATE audit_log SET user_name = 'Mallory', hash = `+ph(1)+` WHERE tenant_id = `+ph(2)+` AND seq = 3`, en.ComputeHash(), e.tenant)
		}, []string{"link@4"}},
		{"deleted middle entry", func(e *env, ph func(int) string) {
			e.exec(`DELETE FROM audit_log WHERE tenant_id = `+ph(1)+` AND seq = 3`, e.tenant)
		}, []string{"missing@3"}},
		{"deleted first entry", func(e *env, ph func(int) string) {
			e.exec(`DELETE FROM audit_log WHERE tenant_id = `+ph(1)+` AND seq = 1`, e.tenant)
		}, []string{"missing@1"}},
		{"deleted tail entries", func(e *env, ph func(int) string) {
			e.exec(`DELETE FROM audit_log WHERE tenant_id = `+ph(1)+` AND seq >= 5`, e.tenant)
		}, []string{"tail@5"}},
		{"reordered entries", func(e *env, ph func(int) string) {
			e.exec(`UPDATE audit_log SET seq = 100 WHERE tenant_id = `+ph(1)+` AND seq = 2`, e.tenant)
			e.exec(`UPDATE audit_log SET seq = 2 WHERE tenant_id = `+ph(1)+` AND seq = 3`, e.tenant)
			e.exec(`UPDATE audit_log SET seq = 3 WHERE tenant_id = `+ph(1)+` AND seq = 100`, e.tenant)
		}, []string{"edited@2", "link@2", "edited@3", "link@3", "link@4"}},
		{"entry appended behind the head's back", func(e *env, ph func(int) string) {
			e.exec(`INSERT INTO audit_log (tenant_id, seq, id, at, action, prev_hash, hash)
				SELECT tenant_id, 7, id, at, action, hash, hash FROM audit_log WHERE tenant_id = `+ph(1)+` AND seq = 6`, e.tenant)
		}, []string{"edited@7", "head@7"}},
		{"head hash changed", func(e *env, ph func(int) string) {
			e.exec(`UPDATE audit_head SET hash = 'x' WHERE tenant_id = `+ph(1), e.tenant)
		}, []string{"head@6"}},
		{"entry moved to another tenant", func(e *env, ph func(int) string) {
			e.exec(`UPDATE audit_log SET tenant_id = `+ph(1)+` WHERE tenant_id = `+ph(2)+` AND seq = 6`, audit.Installation, e.tenant)
		}, []string{"missing@1", "edited@6", "head@6", "tail@6"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			// A second tenant whose chain is left alone must stay intact.
			other, _, _ := e.newTenant("other")
			if _, err := e.svc.Create(other, "account", body(t, `{"name":"Elsewhere"}`)); err != nil {
				t.Fatal(err)
			}
			e.chain(6)
			tc.tamper(e, e.st.D.Placeholder)
			got := breaksOf(e.verify())
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("breaks %v, want %v", got, tc.want)
			}
			for _, b := range e.verify() {
				if tc.name != "entry moved to another tenant" && b.TenantID != e.tenant {
					t.Errorf("break reported in the untouched tenant: %v", b)
				}
			}
		})
	}
}

func TestVerifyOneTenant(t *testing.T) {
	e := newEnv(t)
	other, otherID, _ := e.newTenant("other")
	if _, err := e.svc.Create(other, "account", body(t, `{"name":"Elsewhere"}`)); err != nil {
		t.Fatal(err)
	}
	e.chain(3)
	e.exec(`DELETE FROM audit_log WHERE tenant_id = `+e.st.D.Placeholder(1)+` AND seq = 2`, e.tenant)
	reps, err := e.aud.Verify(e.ctx, otherID)
	if err != nil || len(reps) != 1 || !reps[0].OK() || reps[0].Entries != 1 || reps[0].HeadSeq != 1 {
		t.Fatalf("other tenant: %+v %v", reps, err)
	}
	reps, err = e.aud.Verify(e.ctx, e.tenant)
	if err != nil || len(reps) != 1 || reps[0].OK() {
		t.Fatalf("tampered tenant verifies: %+v %v", reps, err)
	}
}

// TestCanonicalForm pins the documented serialization (docs/security.md): an independent
// implementation must reach the same hash.
func TestCanonicalForm(t *testing.T) {
	en := &audit.Entry{TenantID: "0190a000-0000-7000-8000-000000000001", Seq: 42, ID: "0190a000-0000-7000-8000-0000000000ff",
		At: time.Date(2030, 1, 2, 3, 4, 5, 600000, time.UTC), Action: "update", Entity: "account",
		RecordID: "0190a000-0000-7000-8000-000000000abc", RecordVersion: 7, UserID: "0190a000-0000-7000-8000-000000000def",
		UserName: "李雷", Method: "password", IP: "203.0.113.7", UserAgent: "curl/8", RequestID: "r1",
		Changes: json.RawMessage(`{"city":{"old":"A","new":"B"}}`), PrevHash: strings.Repeat("ab", 32)}
	fields := []string{"meridian-audit-v1", en.PrevHash, en.TenantID, "42", en.ID, "2030-01-02T03:04:05.000600Z", "update", "account",
		en.RecordID, "7", en.UserID, "李雷", "password", "203.0.113.7", "curl/8", "r1", `{"city":{"old":"A","new":"B"}}`}
	var b strings.Builder
	for _, f := range fields {
		fmt.Fprintf(&b, "%d:%s,", len(f), f)
	}
	if string(en.Canonical()) != b.String() {
		t.Fatalf("canonical form\n%s\nwant\n%s", en.Canonical(), b.String())
	}
	sum := sha256.Sum256([]byte(b.String()))
	if en.ComputeHash() != hex.EncodeToString(sum[:]) {
		t.Fatal("hash is not the SHA-256 of the canonical form")
	}
	// Every field is covered.
	en2 := *en
	en2.RequestID = "r2"
	if en2.ComputeHash() == en.ComputeHash() {
		t.Fatal("the request id is not covered by the hash")
	}
}
