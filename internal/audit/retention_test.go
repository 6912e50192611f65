package audit_test

import (
	"context"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/audit"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

func TestRetentionPurgeKeepsTheChainVerifiable(t *testing.T) {
	e := newEnv(t)
	day := 24 * time.Hour
	// Only the tenant's administrators set the retention.
	user := principal.With(context.Background(), principal.Principal{TenantID: e.tenant, UserID: e.user})
	if err := e.aud.SetRetention(user, e.tenant, 30); !fault.Is(err, fault.Permission) {
		t.Fatalf("a non-administrator set the retention: %v", err)
	}
	if err := e.aud.SetRetention(e.ctx, e.tenant, -1); !fault.Is(err, fault.Invalid) {
		t.Fatalf("negative retention: %v", err)
	}
	if err := e.aud.SetRetention(e.ctx, e.tenant, 30); err != nil { // seq 1
		t.Fatal(err)
	}
	if d, err := e.aud.Retention(e.ctx, e.tenant); err != nil || d != 30 {
		t.Fatalf("retention %d %v", d, err)
	}
	e.chain(3) // seq 2..4, expired below
	e.clock.Advance(40 * day)
	e.chain(2) // seq 5..6, kept
	// A tenant without retention keeps everything.
	other, otherID, _ := e.newTenant("other")
	if _, err := e.svc.Create(other, "account", body(t, `{"name":"Kept"}`)); err != nil {
		t.Fatal(err)
	}

	res, err := e.aud.PurgeExpired(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].TenantID != e.tenant || res[0].Deleted != 4 || res[0].ThroughSeq != 4 {
		t.Fatalf("purge: %+v", res)
	}
	left := e.list("")
	if len(left) != 3 || left[0].Seq != 5 || left[2].Action != audit.ActionPurge || left[2].Method != "system" {
		t.Fatalf("after the purge: %d entries from %d", len(left), left[0].Seq)
	}
	if c := changes(t, left[2]); c["through_seq"] != 4.0 || c["deleted"] != 4.0 || c["anchor_hash"] == "" {
		t.Errorf("purge entry %s", left[2].Changes)
	}
	if len(e.listIn(other, "", 0)) != 1 {
		t.Fatal("the tenant without retention lost entries")
	}
	if bs := e.verify(); len(bs) > 0 {
		t.Fatalf("the chain does not verify after the purge: %v", bs)
	}
	// Purging again removes nothing more and writes nothing.
	if r, err := e.aud.Purge(e.ctx, e.tenant); err != nil || r.Deleted != 0 {
		t.Fatalf("second purge: %+v %v", r, err)
	}
	if n := len(e.list("")); n != 3 {
		t.Fatalf("%d entries after a purge with nothing to do", n)
	}
	// The remaining chain is still protected: deleting its first entry is detected...
	ph := e.st.D.Placeholder
	e.exec(`DELETE FROM audit_log WHERE tenant_id = `+ph(1)+` AND seq = 5`, e.tenant)
	if got := breaksOf(e.verify()); len(got) != 1 || got[0] != "missing@5" {
		t.Fatalf("deleting the first remaining entry: %v", got)
	}
	// ... and so is moving the anchor to hide it, which the purge entry contradicts.
	e.exec(`UPDATE audit_head SET anchor_seq = 5, anchor_hash = (SELECT prev_hash FROM audit_log WHERE tenant_id = `+ph(1)+` AND seq = 6) WHERE tenant_id = `+ph(2), e.tenant, e.tenant)
	if got := breaksOf(e.verify()); len(got) != 1 || got[0] != "anchor@5" {
		t.Fatalf("moving the anchor: %v", got)
	}
	_ = otherID
}

func TestPurgeEverythingExpiredThenContinue(t *testing.T) {
	e := newEnv(t)
	if err := e.aud.SetRetention(e.ctx, e.tenant, 1); err != nil {
		t.Fatal(err)
	}
	e.chain(3)
	e.clock.Advance(48 * time.Hour)
	r, err := e.aud.Purge(e.ctx, e.tenant)
	if err != nil || r.Deleted != 4 || r.ThroughSeq != 4 {
		t.Fatalf("purge: %+v %v", r, err)
	}
	e.chain(2)
	if bs := e.verify(); len(bs) > 0 {
		t.Fatal(bs)
	}
	// A later purge removes the earlier purge entry too; the new one records the new anchor.
	e.clock.Advance(48 * time.Hour)
	if r, err = e.aud.Purge(e.ctx, e.tenant); err != nil || r.Deleted != 3 || r.ThroughSeq != 7 {
		t.Fatalf("second purge: %+v %v", r, err)
	}
	if es := e.list(""); len(es) != 1 || es[0].Seq != 8 || es[0].PrevHash == "" {
		t.Fatalf("after the second purge: %+v", es)
	}
	if bs := e.verify(); len(bs) > 0 {
		t.Fatal(bs)
	}
}
