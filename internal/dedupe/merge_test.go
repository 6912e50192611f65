package dedupe_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/dedupe"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// accountFamily makes a survivor and a loser account, the loser with related records of every
// kind, and returns their ids.
func accountFamily(e *env) (survivor, loser string) {
	survivor = e.create("account", records.Input{"name": "Acme Inc.", "phone": "+1 415 555 0100"})
	loser = e.create("account", records.Input{"name": "ACME, Inc", "phone": "+1 415 555 0199", "city": "Berlin"})
	e.create("contact", records.Input{"first_name": "Ada", "last_name": "Lovelace", "account_id": survivor})
	for _, n := range []string{"Grace", "Alan"} {
		e.create("contact", records.Input{"first_name": n, "last_name": "X", "account_id": loser})
	}
	e.create("opportunity", records.Input{"name": "Big deal", "account_id": loser})
	e.create("case", records.Input{"title": "Broken", "account_id": loser})
	e.create("task", records.Input{"subject": "Call back", "regarding_id": loser, "regarding_type": "account"})
	e.create("note", records.Input{"subject": "Met at fair", "regarding_id": loser, "regarding_type": "account"})
	e.create("account", records.Input{"name": "Acme Berlin", "parent_account_id": loser})
	return survivor, loser
}

// related counts the records pointing at account id, by kind.
func (e *env) related(id string) map[string]int {
	e.t.Helper()
	return map[string]int{
		"contact":     e.count("contact", "account_id eq "+id),
		"opportunity": e.count("opportunity", "account_id eq "+id),
		"case":        e.count("case", "account_id eq "+id),
		"task":        e.count("task", "regarding_id eq "+id),
		"note":        e.count("note", "regarding_id eq "+id),
		"child":       e.count("account", "parent_account_id eq "+id),
	}
}

func TestMergeMovesEverythingAndUndoRestores(t *testing.T) {
	e := newEnv(t)
	survivor, loser := accountFamily(e)
	user := e.create("user", records.Input{"full_name": "Sam Share", "email": "sam@example.com"})
	if err := e.recs.ShareRecord(e.ctx, "account", loser, user, records.RightOf(records.OpRead), nil); err != nil {
		t.Fatal(err)
	}
	before := map[string]map[string]int{survivor: e.related(survivor), loser: e.related(loser)}
	if want := (map[string]int{"contact": 2, "opportunity": 1, "case": 1, "task": 1, "note": 1, "child": 1}); !equalCounts(before[loser], want) {
		t.Fatalf("loser's related records before: %v", before[loser])
	}

	m, err := e.dup.Merge(e.ctx, "account", survivor, dedupe.MergeInput{Merge: []string{loser}, Fields: map[string]string{"city": loser, "phone": survivor}})
	if err != nil {
		t.Fatal(err)
	}
	if m.Moved.References != 7 || m.Moved.Grants != 1 {
		t.Errorf("moved: %+v", m.Moved)
	}
	after := e.related(survivor)
	for k, n := range before[loser] {
		if after[k] != before[survivor][k]+n {
			t.Errorf("%s of the survivor: %d, want %d", k, after[k], before[survivor][k]+n)
		}
	}
	if _, err := e.recs.Get(e.ctx, "account", loser, nil); !fault.Is(err, fault.NotFound) {
		t.Errorf("the loser still exists: %v", err)
	}
	surv, _ := e.recs.Get(e.ctx, "account", survivor, nil)
	if surv.Get("city") != "Berlin" || surv.Get("phone") != "+1 415 555 0100" {
		t.Errorf("chosen values: city %v phone %v", surv.Get("city"), surv.Get("phone"))
	}
	shares, err := e.recs.Shares(e.ctx, "account", survivor)
	if err != nil || len(shares) != 1 {
		t.Errorf("the share did not move: %+v %v", shares, err)
	}
	// The merged record is no longer a duplicate candidate.
	if got, _ := e.dup.Find(e.ctx, "account", map[string]any{"name": "Acme"}, survivor); len(got) != 0 {
		t.Errorf("candidates after merge: %+v", got)
	}

	e.clock.Advance(time.Hour)
	if _, err := e.dup.Undo(e.ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{survivor, loser} {
		if got := e.related(id); !equalCounts(got, before[id]) {
			t.Errorf("after undo, related records of %s: %v, want %v", id, got, before[id])
		}
	}
	rl, err := e.recs.Get(e.ctx, "account", loser, nil)
	if err != nil || rl.Get("name") != "ACME, Inc" || rl.Get("city") != "Berlin" {
		t.Fatalf("restored loser: %v %v", rl, err)
	}
	surv, _ = e.recs.Get(e.ctx, "account", survivor, nil)
	if surv.Get("city") != nil {
		t.Errorf("survivor's city after undo: %v", surv.Get("city"))
	}
	if shares, _ := e.recs.Shares(e.ctx, "account", loser); len(shares) != 1 {
		t.Errorf("the share did not move back: %+v", shares)
	}
	if shares, _ := e.recs.Shares(e.ctx, "account", survivor); len(shares) != 0 {
		t.Errorf("the survivor kept the share: %+v", shares)
	}
	if _, err := e.dup.Undo(e.ctx, m.ID); !fault.Is(err, fault.Conflict) {
		t.Errorf("a second undo: %v", err)
	}
}

func equalCounts(a, b map[string]int) bool {
	for k := range b {
		if a[k] != b[k] {
			return false
		}
	}
	return len(a) == len(b)
}

func TestMergeMovesLinks(t *testing.T) {
	e := newEnv(t)
	keep := e.create("contact", records.Input{"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"})
	dup := e.create("contact", records.Input{"first_name": "Ada", "last_name": "Lovelace", "email": "ADA@example.com"})
	l1 := e.create("marketing_list", records.Input{"name": "Newsletter"})
	l2 := e.create("marketing_list", records.Input{"name": "Event"})
	for _, l := range []string{l1, l2} {
		if err := e.recs.Associate(e.ctx, "contact", dup, "marketing_lists", l); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.recs.Associate(e.ctx, "contact", keep, "marketing_lists", l1); err != nil {
		t.Fatal(err)
	}
	lists := func(id string) []string {
		page, _, err := e.recs.Related(e.ctx, "contact", id, "marketing_lists", &query.Options{}, records.ReadOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range page.Records {
			out = append(out, r.ID())
		}
		slices.Sort(out)
		return out
	}
	want := []string{l1, l2}
	slices.Sort(want)
	m, err := e.dup.Merge(e.ctx, "contact", keep, dedupe.MergeInput{Merge: []string{dup}})
	if err != nil {
		t.Fatal(err)
	}
	if got := lists(keep); !slices.Equal(got, want) || m.Moved.Links != 1 {
		t.Fatalf("lists after merge: %v (moved %d), want %v", got, m.Moved.Links, want)
	}
	if _, err := e.dup.Undo(e.ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if got := lists(dup); !slices.Equal(got, want) {
		t.Errorf("restored contact's lists: %v, want %v", got, want)
	}
	if got := lists(keep); !slices.Equal(got, []string{l1}) {
		t.Errorf("survivor's lists after undo: %v", got)
	}
}

func TestUndoRefused(t *testing.T) {
	e := newEnv(t)
	a := e.create("account", records.Input{"name": "Acme"})
	b := e.create("account", records.Input{"name": "Acme"})
	c := e.create("account", records.Input{"name": "Acme"})
	m1, err := e.dup.Merge(e.ctx, "account", a, dedupe.MergeInput{Merge: []string{b}})
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(24*time.Hour + time.Second)
	_, err = e.dup.Undo(e.ctx, m1.ID)
	if f, ok := fault.As(err); !ok || f.Code != "undo_window_passed" {
		t.Fatalf("undo after the window: %v", err)
	}
	m2, err := e.dup.Merge(e.ctx, "account", a, dedupe.MergeInput{Merge: []string{c}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.recs.Update(e.ctx, "account", a, records.Input{"city": "Paris"}, ""); err != nil {
		t.Fatal(err)
	}
	_, err = e.dup.Undo(e.ctx, m2.ID)
	if f, ok := fault.As(err); !ok || f.Code != "changed_since_merge" {
		t.Fatalf("undo after a change: %v", err)
	}
	if _, err := e.recs.Get(e.ctx, "account", c, nil); !fault.Is(err, fault.NotFound) {
		t.Errorf("a refused undo restored the record: %v", err)
	}
}

func TestMergeLeadsMovesAccessTeamsAndOpportunities(t *testing.T) {
	e := newEnv(t)
	keep := e.create("lead", records.Input{"first_name": "Ada", "last_name": "Lovelace", "company_name": "Engines Ltd", "email": "ada@engines.example"})
	dup := e.create("lead", records.Input{"first_name": "Ada", "last_name": "Lovelace", "company_name": "ENGINES", "phone": "+44 20 7946 0958"})
	opp := e.create("opportunity", records.Input{"name": "Engines", "lead_id": dup})
	if got, _ := e.dup.Find(e.ctx, "lead", map[string]any{"first_name": "Ada", "last_name": "Lovelace", "company_name": "Engines Limited"}); len(got) != 2 {
		t.Fatalf("lead candidates by name and company: %+v", got)
	}
	tpl, err := access.New(e.st, e.recs.Registry(), e.clock.Now).CreateTemplate(
		principal.With(context.Background(), principal.System(e.tenant)), "Lead team", "lead", []string{"write"})
	if err != nil {
		t.Fatal(err)
	}
	member := e.create("user", records.Input{"full_name": "Bo", "email": "bo@example.com"})
	if err := e.recs.AddAccessTeamMember(e.ctx, "lead", dup, tpl.ID, member, nil); err != nil {
		t.Fatal(err)
	}
	m, err := e.dup.Merge(e.ctx, "lead", keep, dedupe.MergeInput{Merge: []string{dup}, Fields: map[string]string{"phone": dup}})
	if err != nil {
		t.Fatal(err)
	}
	members, err := e.recs.AccessTeamMembers(e.ctx, "lead", keep)
	if err != nil || len(members) != 1 || m.Moved.Grants != 1 {
		t.Fatalf("access team after merge: %+v %v (moved %+v)", members, err, m.Moved)
	}
	if o, _ := e.recs.Get(e.ctx, "opportunity", opp, nil); o.Get("lead_id") != keep {
		t.Errorf("the opportunity's lead: %v", o.Get("lead_id"))
	}
	if l, _ := e.recs.Get(e.ctx, "lead", keep, nil); l.Get("phone") != "+44 20 7946 0958" || l.Get("email") != "ada@engines.example" {
		t.Errorf("kept lead: phone %v email %v", l.Get("phone"), l.Get("email"))
	}
	if _, err := e.dup.Undo(e.ctx, m.ID); err != nil {
		t.Fatal(err)
	}
	if members, _ := e.recs.AccessTeamMembers(e.ctx, "lead", dup); len(members) != 1 {
		t.Errorf("access team of the restored lead: %+v", members)
	}
	if o, _ := e.recs.Get(e.ctx, "opportunity", opp, nil); o.Get("lead_id") != dup {
		t.Errorf("the opportunity's lead after undo: %v", o.Get("lead_id"))
	}
	if l, _ := e.recs.Get(e.ctx, "lead", keep, nil); l.Get("phone") != nil {
		t.Errorf("kept lead's phone after undo: %v", l.Get("phone"))
	}
}
