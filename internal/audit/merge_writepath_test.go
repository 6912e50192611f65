package audit_test

import (
	"testing"

	"github.com/meridian-crm/meridian/internal/records"
)

// TestMergeWritePathsLeaveAuditEntries covers the derived writes of a merge (internal/dedupe):
// repointed lookups are updates of the referencing records, moved links and grants are
// associations and shares of the records they move between.
func TestMergeWritePathsLeaveAuditEntries(t *testing.T) {
	e := newEnv(t)
	keep := e.create("account", `{"name":"Keep"}`)
	gone := e.create("account", `{"name":"Gone"}`)
	con := e.create("contact", `{"last_name":"Li","account_id":"`+gone.ID()+`"}`)

	s := e.head()
	refs, err := e.svc.Repoint(e.ctx, gone.ID(), keep.ID(), nil)
	if err != nil || len(refs) != 1 {
		t.Fatalf("repoint: %v %v", refs, err)
	}
	e.expect(s, want{"update", "contact", con.ID(), true, []string{"account_id"}})
	s = e.head()
	if n, err := e.svc.RepointBack(e.ctx, refs, keep.ID()); err != nil || n != 1 {
		t.Fatalf("repoint back: %d %v", n, err)
	}
	e.expect(s, want{"update", "contact", con.ID(), true, []string{"account_id"}})

	owner := e.create("user", `{"full_name":"Bo","email":"bo@example.com"}`)
	rights, _ := records.ParseRights([]string{"read"})
	if err := e.svc.ShareRecord(e.ctx, "account", gone.ID(), owner.ID(), rights, nil); err != nil {
		t.Fatal(err)
	}
	s = e.head()
	gs, err := e.svc.MoveGrants(e.ctx, "account", gone.ID(), keep.ID())
	if err != nil || len(gs) != 1 {
		t.Fatalf("move grants: %v %v", gs, err)
	}
	if err := e.svc.RestoreGrants(e.ctx, "account", gone.ID(), keep.ID(), gs); err != nil {
		t.Fatal(err)
	}
	e.expect(s, want{"share", "account", keep.ID(), false, []string{"principal_id"}}, want{"share", "account", gone.ID(), false, []string{"principal_id"}})

	other := e.create("contact", `{"last_name":"Wang"}`)
	list := e.create("marketing_list", `{"name":"Newsletter"}`)
	if err := e.svc.Associate(e.ctx, "contact", con.ID(), "marketing_lists", list.ID()); err != nil {
		t.Fatal(err)
	}
	s = e.head()
	links, err := e.svc.MoveLinks(e.ctx, "contact", con.ID(), other.ID())
	if err != nil || len(links) != 1 || !links[0].Moved {
		t.Fatalf("move links: %+v %v", links, err)
	}
	if err := e.svc.RestoreLinks(e.ctx, "contact", con.ID(), other.ID(), links); err != nil {
		t.Fatal(err)
	}
	rel := []string{"relationship", "related_id"}
	e.expect(s, want{"disassociate", "contact", con.ID(), false, rel}, want{"associate", "contact", other.ID(), false, rel},
		want{"disassociate", "contact", other.ID(), false, rel}, want{"associate", "contact", con.ID(), false, rel})
}
