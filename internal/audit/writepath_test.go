package audit_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/audit"
	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/records"
)

// want is what one audit entry must say.
type want struct {
	action, entity, recordID string
	version                  bool     // the entry carries the record's new version
	changed                  []string // exactly these keys in changes (nil: don't check)
}

// expect checks that the entries written after seq are exactly ws, in order, each with the env's
// caller and origin, and returns them.
func (e *env) expect(seq int64, ws ...want) []*audit.Entry {
	e.t.Helper()
	got := e.since(seq)
	if len(got) != len(ws) {
		for _, g := range got {
			e.t.Logf("entry %d: %s %s %s %s", g.Seq, g.Action, g.Entity, g.RecordID, g.Changes)
		}
		e.t.Fatalf("%d audit entries after seq %d, want %d", len(got), seq, len(ws))
	}
	for i, w := range ws {
		g := got[i]
		if g.Seq != seq+int64(i)+1 {
			e.t.Errorf("entry %d has seq %d: the chain has a gap", i, g.Seq)
		}
		if g.Action != w.action || g.Entity != w.entity || (w.recordID != "" && g.RecordID != w.recordID) {
			e.t.Errorf("entry %d: %s %s %s, want %s %s %s", g.Seq, g.Action, g.Entity, g.RecordID, w.action, w.entity, w.recordID)
		}
		if w.version && g.RecordVersion == 0 {
			e.t.Errorf("entry %d (%s) has no record version", g.Seq, g.Action)
		}
		if g.UserID != e.user || g.UserName != "Ada Admin" || g.Method != "password" {
			e.t.Errorf("entry %d: by %s %q (%s), want %s \"Ada Admin\" (password)", g.Seq, g.UserID, g.UserName, g.Method, e.user)
		}
		if g.IP != origin.IP || g.UserAgent != origin.UserAgent || g.RequestID != origin.RequestID {
			e.t.Errorf("entry %d: from %s %q %s, want %+v", g.Seq, g.IP, g.UserAgent, g.RequestID, origin)
		}
		if !g.At.Equal(e.clock.Now().Truncate(time.Microsecond)) {
			e.t.Errorf("entry %d at %s, want the clock's %s", g.Seq, g.At, e.clock.Now())
		}
		if w.changed != nil {
			var keys []string
			for k := range changes(e.t, g) {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			wk := append([]string(nil), w.changed...)
			sort.Strings(wk)
			if !reflect.DeepEqual(keys, wk) && !(len(keys) == 0 && len(wk) == 0) {
				e.t.Errorf("entry %d (%s) changes %s: keys %v, want %v", g.Seq, g.Action, g.Changes, keys, wk)
			}
		}
	}
	if bs := e.verify(); len(bs) > 0 {
		e.t.Fatalf("the chain does not verify: %v", bs)
	}
	return got
}

func TestEveryWritePathLeavesItsAuditEntry(t *testing.T) {
	e := newEnv(t)

	// Create: the record's name only; its values are its first version, which the later entries
	// restore (updates keep old values, deletes all of them).
	s := e.head()
	acc := e.create("account", `{"name":"Contoso","account_number":"A-1","city":"Shanghai","revenue":1250.5,"employees":12}`)
	got := e.expect(s, want{"create", "account", acc.ID(), true, nil})
	c := changes(t, got[0])
	if c["name"] != "Contoso" || len(c) != 1 {
		t.Errorf("create changes %s, want the primary name only", got[0].Changes)
	}
	if got[0].RecordVersion != acc.Version() {
		t.Errorf("record version %d, want %d", got[0].RecordVersion, acc.Version())
	}

	// Update: only the fields that changed, with their old and new values.
	s = e.head()
	if _, err := e.svc.Update(e.ctx, "account", acc.ID(), body(t, `{"city":"Beijing","name":"Contoso","employees":40}`), ""); err != nil {
		t.Fatal(err)
	}
	got = e.expect(s, want{"update", "account", acc.ID(), true, []string{"city", "employees"}})
	c = changes(t, got[0])
	if city := c["city"].(map[string]any); city["old"] != "Shanghai" || city["new"] != "Beijing" {
		t.Errorf("update of city: %s", got[0].Changes)
	}
	if emp := c["employees"].(map[string]any); emp["old"] != 12.0 || emp["new"] != 40.0 {
		t.Errorf("update of employees: %s", got[0].Changes)
	}

	// Upsert by alternate key: an update of the existing record, then a create.
	s = e.head()
	if _, created, err := e.svc.Upsert(e.ctx, "account", map[string]string{"account_number": "A-1"}, body(t, `{"phone":"+86 21 1234"}`), "", ""); err != nil || created {
		t.Fatalf("upsert update: created %v, %v", created, err)
	}
	rec, created, err := e.svc.Upsert(e.ctx, "account", map[string]string{"account_number": "A-2"}, body(t, `{"name":"Fabrikam"}`), "", "")
	if err != nil || !created {
		t.Fatalf("upsert create: created %v, %v", created, err)
	}
	e.expect(s, want{"update", "account", acc.ID(), true, []string{"phone"}}, want{"create", "account", rec.ID(), true, nil})

	// Associate and disassociate (N:N): the relationship and the other record.
	list := e.create("marketing_list", `{"name":"Newsletter"}`)
	con := e.create("contact", `{"last_name":"Li","account_id":"`+acc.ID()+`"}`)
	s = e.head()
	if err := e.svc.Associate(e.ctx, "marketing_list", list.ID(), "member_contacts", con.ID()); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Disassociate(e.ctx, "marketing_list", list.ID(), "member_contacts", con.ID()); err != nil {
		t.Fatal(err)
	}
	got = e.expect(s, want{"associate", "marketing_list", list.ID(), false, []string{"relationship", "related_id"}},
		want{"disassociate", "marketing_list", list.ID(), false, []string{"relationship", "related_id"}})
	if c := changes(t, got[0]); c["relationship"] != "marketing_list_contact" || c["related_id"] != con.ID() {
		t.Errorf("associate changes %s", got[0].Changes)
	}

	// Associate through a one-to-many navigation sets the lookup: an update of the related record.
	con2 := e.create("contact", `{"last_name":"Wang"}`)
	s = e.head()
	if err := e.svc.Associate(e.ctx, "account", acc.ID(), "contacts", con2.ID()); err != nil {
		t.Fatal(err)
	}
	e.expect(s, want{"update", "contact", con2.ID(), true, []string{"account_id"}})

	// A derived update (a roll-up a hook writes): audited like any update; none when the
	// record already holds the values.
	s = e.head()
	if wrote, err := e.svc.UpdateDerived(e.ctx, "account", acc.ID(), func(map[string]any) map[string]any {
		return map[string]any{"website": "https://derived.example"}
	}); err != nil || !wrote {
		t.Fatalf("derived update: %v %v", wrote, err)
	}
	if wrote, err := e.svc.UpdateDerived(e.ctx, "account", acc.ID(), func(map[string]any) map[string]any { return nil }); err != nil || wrote {
		t.Fatalf("derived update of nothing: %v %v", wrote, err)
	}
	e.expect(s, want{"update", "account", acc.ID(), true, []string{"website"}})

	// Bulk create: one entry per created row, none for a refused row.
	s = e.head()
	ids, rowErrs, err := e.svc.CreateMany(e.ctx, "account", []records.Input{
		body(t, `{"name":"Bulk 1"}`), body(t, `{"city":"no name"}`), body(t, `{"name":"Bulk 3"}`)})
	if err != nil || len(rowErrs) != 1 {
		t.Fatalf("create many: %v %v", rowErrs, err)
	}
	e.expect(s, want{"create", "account", ids[0], true, nil}, want{"create", "account", ids[2], true, nil})

	// Assign (the owner changes) and share/unshare.
	owner := e.create("user", `{"full_name":"Bo","email":"bo@example.com"}`)
	s = e.head()
	if _, err := e.svc.Assign(e.ctx, "account", acc.ID(), owner.ID()); err != nil {
		t.Fatal(err)
	}
	rights, err := records.ParseRights([]string{"write"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.svc.ShareRecord(e.ctx, "account", acc.ID(), owner.ID(), rights, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.Unshare(e.ctx, "account", acc.ID(), owner.ID()); err != nil {
		t.Fatal(err)
	}
	got = e.expect(s, want{"assign", "account", acc.ID(), true, []string{"owner_id"}},
		want{"share", "account", acc.ID(), false, nil}, want{"unshare", "account", acc.ID(), false, nil})
	if c := changes(t, got[0])["owner_id"].(map[string]any); c["old"] != e.user || c["new"] != owner.ID() {
		t.Errorf("assign changes %s", got[0].Changes)
	}
	if c := changes(t, got[1]); c["principal_id"] != owner.ID() || c["principal_type"] != "user" || c["rights"] == nil {
		t.Errorf("share changes %s", got[1].Changes)
	}

	// Route (an assignment rule's owner and the rule): an assign naming the rule.
	lead := e.create("lead", `{"last_name":"Routed"}`)
	rule := e.create("assignment_rule", `{"name":"All leads","target_entity":"lead","assign_type":"user","user_id":"`+owner.ID()+`"}`)
	s = e.head()
	if _, err := e.svc.Route(e.ctx, "lead", lead.ID(), records.Input{"owner_id": owner.ID(), "routed_by_rule_id": rule.ID()}, true); err != nil {
		t.Fatal(err)
	}
	got = e.expect(s, want{"assign", "lead", lead.ID(), true, []string{"owner_id", "routed_by_rule_id"}})
	if c := changes(t, got[0])["routed_by_rule_id"].(map[string]any); c["new"] != rule.ID() {
		t.Errorf("route changes %s", got[0].Changes)
	}

	// Access team membership is a share too.
	tpl, err := access.New(e.st, e.svc.Registry(), e.clock.Now).CreateTemplate(
		principal.With(context.Background(), principal.System(e.tenant)), "Deal team", "account", []string{"write"})
	if err != nil {
		t.Fatal(err)
	}
	s = e.head()
	if err := e.svc.AddAccessTeamMember(e.ctx, "account", acc.ID(), tpl.ID, owner.ID(), nil); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RemoveAccessTeamMember(e.ctx, "account", acc.ID(), tpl.ID, owner.ID()); err != nil {
		t.Fatal(err)
	}
	got = e.expect(s, want{"share", "account", acc.ID(), false, nil}, want{"unshare", "account", acc.ID(), false, []string{"template_id", "principal_id", "principal_type"}})
	if c := changes(t, got[1]); c["template_id"] != tpl.ID || c["principal_id"] != owner.ID() || c["principal_type"] != "access_team" {
		t.Errorf("access team changes %s", got[1].Changes)
	}

	// Delete: every value the record had; the cascade or set-null of related records is audited too.
	s = e.head()
	if err := e.svc.Delete(e.ctx, "account", acc.ID(), ""); err != nil {
		t.Fatal(err)
	}
	got = e.since(s)
	var del *audit.Entry
	for _, g := range got {
		if g.Action == "delete" && g.RecordID == acc.ID() {
			del = g
		} else if g.Action != "update" || g.Entity != "contact" {
			t.Errorf("the delete wrote an unexpected entry %d: %s %s", g.Seq, g.Action, g.Entity)
		}
	}
	if del == nil || len(got) != 3 { // two contacts lose their account, then the account goes
		t.Fatalf("delete wrote %d entries, want the account's and its two contacts'", len(got))
	}
	if c := changes(t, del); c["name"] != "Contoso" || c["city"] != "Beijing" || c["phone"] != "+86 21 1234" || c["version"] == nil {
		t.Errorf("delete changes %s", del.Changes)
	}
	if bs := e.verify(); len(bs) > 0 {
		t.Fatal(bs)
	}
}

func TestFailedWritesLeaveNoAuditEntry(t *testing.T) {
	e := newEnv(t)
	acc := e.create("account", `{"name":"Contoso","account_number":"A-1"}`)
	s := e.head()
	// Refused by validation, by a duplicate key, by a stale ETag.
	if _, err := e.svc.Create(e.ctx, "account", body(t, `{"city":"no name"}`)); err == nil {
		t.Fatal("invalid create accepted")
	}
	if _, err := e.svc.Create(e.ctx, "account", body(t, `{"name":"Dup","account_number":"A-1"}`)); err == nil {
		t.Fatal("duplicate key accepted")
	}
	if _, err := e.svc.Update(e.ctx, "account", acc.ID(), body(t, `{"city":"X"}`), `W/"999"`); err == nil {
		t.Fatal("stale update accepted")
	}
	// A transaction that fails after its writes (a $batch change set, an import batch) rolls
	// its audit entries back with them.
	boom := errors.New("boom")
	err := e.st.WithTx(e.ctx, func(ctx context.Context) error {
		if _, err := e.svc.Create(ctx, "account", body(t, `{"name":"Rolled back"}`)); err != nil {
			return err
		}
		if _, err := e.svc.Update(ctx, "account", acc.ID(), body(t, `{"city":"Rolled back"}`), ""); err != nil {
			return err
		}
		if err := e.aud.Event(ctx, audit.Event{Action: audit.ActionRoleChange, Entity: "security_role"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("transaction: %v", err)
	}
	e.expect(s)
	// The chain goes on from where it was: no seq was lost to the rollback.
	e.create("account", `{"name":"After"}`)
	e.expect(s, want{"create", "account", "", true, nil})
}

func TestImportIsAudited(t *testing.T) {
	e := newEnv(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "accounts.csv")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	im := exchange.NewImporter(e.svc)
	run := func(upsert []string) *exchange.Summary {
		t.Helper()
		j, _, err := im.Start(e.ctx, exchange.Request{Entity: "accounts", Path: path, Source: exchange.SourceCLI, UpsertKey: upsert})
		if err != nil {
			t.Fatal(err)
		}
		sum, err := im.Run(e.ctx, j, nil)
		if err != nil {
			t.Fatal(err)
		}
		return sum
	}
	s := e.head()
	write("name,account_number,city\nAlpha,I-1,Shanghai\nBeta,I-2,Beijing\n,I-3,no name\n")
	if sum := run(nil); sum.Created != 2 || sum.Failed != 1 {
		t.Fatalf("import: %+v", sum)
	}
	e.expect(s, want{"create", "account", "", true, nil}, want{"create", "account", "", true, nil})
	// An upsert import updates through the write path too: only the changed field.
	s = e.head()
	write("name,account_number,city\nAlpha,I-1,Shenzhen\nBeta,I-2,Beijing\n")
	if sum := run([]string{"account_number"}); sum.Updated != 1 {
		t.Fatalf("upsert import: %+v", sum)
	}
	e.expect(s, want{"update", "account", "", true, []string{"city"}})
}

// TestWritePathsAreKnown fails when the records service gains an exported method this package
// has not classified: a new write path must get an audit test above before it is listed here.
func TestWritePathsAreKnown(t *testing.T) {
	audited := map[string]bool{ // exercised by TestEveryWritePathLeavesItsAuditEntry (and the import/batch tests)
		"Create": true, "Update": true, "Upsert": true, "Delete": true, "Associate": true, "Disassociate": true,
		"CreateMany": true, "Assign": true, "ShareRecord": true, "Unshare": true, "AddAccessTeamMember": true,
		"RemoveAccessTeamMember": true, "Route": true, "UpdateDerived": true,
		// exercised by TestMergeWritePathsLeaveAuditEntries
		"Repoint": true, "RepointBack": true, "MoveLinks": true, "RestoreLinks": true, "MoveGrants": true, "RestoreGrants": true,
	}
	readOnly := map[string]bool{
		"List": true, "Get": true, "GetMany": true, "Related": true, "IDByKey": true, "Shares": true, "AccessTeamMembers": true,
		"Store": true, "Model": true, "Registry": true, "Can": true, "Readable": true, "Now": true, "RefreshStatistics": true, "CanRead": true, "SumWhere": true,
		"Register": true, "Hooks": true, "DerivedTables": true, "SetLifecycle": true, // wiring: the write pipeline's hooks, closed states
	}
	typ := reflect.TypeOf(&records.Service{})
	for i := range typ.NumMethod() {
		name := typ.Method(i).Name
		if !audited[name] && !readOnly[name] {
			t.Errorf("records.Service.%s is neither a known read nor an audited write: add it to the write-path test", name)
		}
	}
}
