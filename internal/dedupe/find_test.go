package dedupe_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/meridian-crm/meridian/internal/dedupe"
	"github.com/meridian-crm/meridian/internal/records"
)

func TestFindAccounts(t *testing.T) {
	e := newEnv(t)
	acme := e.create("account", records.Input{"name": "Acme Inc.", "website": "https://www.acme.com", "phone": "+1 415 555 2671"})
	east := e.create("account", records.Input{"name": "北京东方科技有限公司", "email": "info@dongfang.cn"})
	e.create("account", records.Input{"name": "Globex"})

	cases := []struct {
		name  string
		in    map[string]any
		want  string
		rule  string
		score float64
	}{
		{"English name, other legal form", map[string]any{"name": "ACME, Inc"}, acme, "name", 1},
		{"Chinese name without suffix", map[string]any{"name": "北京东方科技"}, east, "name", 1},
		{"website domain", map[string]any{"name": "Something else", "website": "acme.com/contact"}, acme, "website", 1},
		{"phone in another format", map[string]any{"phone": "001 (415) 555-2671"}, acme, "phone", 1},
		{"e-mail case", map[string]any{"email": " INFO@Dongfang.CN"}, east, "email", 1},
	}
	for _, c := range cases {
		got, err := e.dup.Find(e.ctx, "account", c.in)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(got) != 1 || got[0].ID != c.want || !slices.Contains(got[0].Rules, c.rule) || got[0].Score != c.score {
			t.Errorf("%s: got %+v, want %s by %s", c.name, got, c.want, c.rule)
		}
	}
	none, err := e.dup.Find(e.ctx, "account", map[string]any{"name": "Initech"})
	if err != nil || len(none) != 0 {
		t.Errorf("no duplicate: %+v %v", none, err)
	}
	// A record is not its own duplicate.
	self, err := e.dup.Find(e.ctx, "account", map[string]any{"name": "Acme Inc."}, acme)
	if err != nil || len(self) != 0 {
		t.Errorf("excluded self: %+v %v", self, err)
	}
}

func TestFindFollowsWrites(t *testing.T) {
	e := newEnv(t)
	a := e.create("account", records.Input{"name": "Acme"})
	b := e.create("account", records.Input{"name": "Acme"})
	c1 := e.create("contact", records.Input{"first_name": "Ada", "last_name": "Lovelace", "account_id": a})
	e.create("contact", records.Input{"first_name": "Ada", "last_name": "Lovelace", "account_id": b})
	e.create("contact", records.Input{"first_name": "明", "last_name": "王", "mobile_phone": "138 0013 8000"})

	// Name + account: the Ada in the other account is not a duplicate.
	got, err := e.dup.Find(e.ctx, "contact", map[string]any{"first_name": "Ada", "last_name": "Lovelace", "account_id": a})
	if err != nil || !slices.Equal(candidateIDs(got), []string{c1}) {
		t.Fatalf("name within account: %+v %v", got, err)
	}
	// A mobile number matches a phone number of another record.
	got, err = e.dup.Find(e.ctx, "contact", map[string]any{"phone": "+86 13800138000"})
	if err != nil || len(got) != 1 || got[0].Name != "王明" {
		t.Fatalf("phone vs mobile: %+v %v", got, err)
	}
	// Renaming and deleting keep the index in step.
	if _, err := e.recs.Update(e.ctx, "account", b, records.Input{"name": "Globex"}, ""); err != nil {
		t.Fatal(err)
	}
	got, _ = e.dup.Find(e.ctx, "account", map[string]any{"name": "Acme"})
	if !slices.Equal(candidateIDs(got), []string{a}) {
		t.Fatalf("after rename: %+v", got)
	}
	if err := e.recs.Delete(e.ctx, "contact", c1, ""); err != nil {
		t.Fatal(err)
	}
	got, _ = e.dup.Find(e.ctx, "contact", map[string]any{"first_name": "Ada", "last_name": "Lovelace", "account_id": a})
	if len(got) != 0 {
		t.Fatalf("after delete: %+v", got)
	}
}

func TestRulesAreAdminOnlyAndReindex(t *testing.T) {
	e := newEnv(t)
	a := e.create("account", records.Input{"name": "Acme", "city": "Paris"})
	e.create("account", records.Input{"name": "Other", "city": "Paris"})
	rules := []dedupe.Rule{{Name: "city", Match: dedupe.MatchName, Attributes: []string{"city"}, Threshold: 1}}
	if _, err := e.dup.SetRules(e.ctx, "account", rules); err != nil {
		t.Fatal(err)
	}
	got, err := e.dup.Find(e.ctx, "account", map[string]any{"name": "Acme", "city": "paris"}, a)
	if err != nil || len(got) != 1 || got[0].Rules[0] != "city" {
		t.Fatalf("custom rule over existing records: %+v %v", got, err)
	}
	if _, err := e.dup.SetRules(e.ctx, "account", []dedupe.Rule{{Name: "x", Match: "fuzzy", Attributes: []string{"name"}}}); err == nil {
		t.Error("an unknown match kind was accepted")
	}
	back, err := e.dup.SetRules(e.ctx, "account", nil)
	if err != nil || len(back) != len(dedupe.Defaults("account")) {
		t.Fatalf("reset: %+v %v", back, err)
	}
}

func TestBackfillIndexesRecordsWrittenBeforeTheIndex(t *testing.T) {
	e := newEnv(t)
	a := e.create("account", records.Input{"name": "Acme Inc."})
	// A database upgraded from a release without the index: records but no keys.
	if e.st.D.Name() == "sqlite" {
		if _, err := e.st.Exec(e.ctx, `INSERT INTO dedupe_fts (dedupe_fts) VALUES ('delete-all')`); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.st.Exec(e.ctx, `DELETE FROM dedupe_doc`); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.dup.Find(e.ctx, "account", map[string]any{"name": "ACME"}); len(got) != 0 {
		t.Fatalf("candidates without keys: %+v", got)
	}
	n, err := e.dup.Backfill(e.ctx)
	if err != nil || n != len(dedupe.Entities) {
		t.Fatalf("backfill: %d %v", n, err)
	}
	if got, _ := e.dup.Find(e.ctx, "account", map[string]any{"name": "ACME"}); !slices.Equal(candidateIDs(got), []string{a}) {
		t.Fatalf("after backfill: %+v", got)
	}
	if n, err := e.dup.Backfill(e.ctx); err != nil || n != 0 {
		t.Errorf("a second backfill: %d %v", n, err)
	}
}

// TestStopKeysAreRemembered: bigrams held by more than 200 records are skipped by look-ups
// and remembered as such, so that the next look-ups skip them without counting their holders;
// the answer stays the same.
func TestStopKeysAreRemembered(t *testing.T) {
	e := newEnv(t)
	quillon := e.create("account", records.Input{"name": "Zephyr Quillon"})
	var rows []records.Input
	for i := range 210 {
		rows = append(rows, records.Input{"name": fmt.Sprintf("Zephyr Quill %03d", i)})
	}
	if _, bad, err := e.recs.CreateMany(e.ctx, "account", rows); err != nil || len(bad) > 0 {
		t.Fatal(err, bad)
	}
	find := func() []dedupe.Candidate {
		t.Helper()
		got, err := e.dup.Find(e.ctx, "account", map[string]any{"name": "Zephyr Quillon"})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if e.dup.StopKeys() != 0 {
		t.Fatal("stop keys before any look-up")
	}
	first := find()
	if e.dup.StopKeys() == 0 {
		t.Fatal("no stop key remembered after a look-up among 211 records sharing its bigrams")
	}
	if again := find(); !slices.EqualFunc(first, again, func(a, b dedupe.Candidate) bool { return a.ID == b.ID && a.Score == b.Score }) {
		t.Fatalf("with remembered stop keys: %+v, before: %+v", again, first)
	}
	if len(first) == 0 || first[0].ID != quillon || first[0].Score != 1 {
		t.Fatalf("the record of the very same name is not first: %+v", first)
	}
}

// TestStopKeyMemory: remembered stop keys expire after ten minutes, and the memory is bounded.
func TestStopKeyMemory(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	var m dedupe.StopKeyMemory
	m.Add(7, now)
	if !m.Has(7, now.Add(9*time.Minute)) || m.Has(8, now) {
		t.Fatal("a remembered key is not found, or another is")
	}
	if m.Has(7, now.Add(10*time.Minute)) {
		t.Fatal("a stop key is remembered past ten minutes")
	}
	for k := range int64(1 << 17) {
		m.Add(k, now)
	}
	if n := m.Len(); n > 1<<16 {
		t.Fatalf("%d stop keys remembered", n)
	}
}

// TestFindTop: FindTop compares the new record with the top records of each rule only — those
// sharing the most keys with it — where Find looks at up to a hundred.
func TestFindTop(t *testing.T) {
	e := newEnv(t)
	exact := e.create("account", records.Input{"name": "Harbour Logistics"})
	for _, n := range []string{"Harbour Logistic", "Harbor Logistics", "Harbour Logistics Ltd", "The Harbour Logistics"} {
		e.create("account", records.Input{"name": n})
	}
	all, err := e.dup.Find(e.ctx, "account", map[string]any{"name": "Harbour Logistics"})
	if err != nil || len(all) < 4 {
		t.Fatalf("Find: %d candidates (%v), want at least 4", len(all), err)
	}
	top, err := e.dup.FindTop(e.ctx, "account", map[string]any{"name": "Harbour Logistics"}, 1)
	if err != nil || len(top) != 1 || top[0].ID != exact {
		t.Fatalf("FindTop 1: %+v (%v); want the record of the very same name", top, err)
	}
}
