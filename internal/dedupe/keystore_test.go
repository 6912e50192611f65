package dedupe_test

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/dedupe"
	"github.com/meridian-crm/meridian/internal/records"
)

// checkIndexed fails unless the key index holds exactly the keys of the current values of
// record id (none for a deleted record or one without keys).
func (e *env) checkIndexed(entity, id string) {
	e.t.Helper()
	got, err := e.dup.IndexedKeys(e.ctx, e.tenant, entity, id)
	if err != nil {
		e.t.Fatal(err)
	}
	var want []int64
	if rec, err := e.recs.Get(e.ctx, entity, id, nil); err == nil {
		if want, err = e.dup.ExpectedKeys(e.ctx, e.tenant, entity, rec.Map()); err != nil {
			e.t.Fatal(err)
		}
	}
	if !slices.Equal(got, want) {
		e.t.Fatalf("%s %s: index holds %d keys %v, its values give %d %v", entity, id, len(got), got, len(want), want)
	}
}

// checkFTS runs SQLite's FTS5 integrity check, which compares the inverted index with the
// dedupe_doc rows it was built from.
func (e *env) checkFTS() {
	e.t.Helper()
	if e.st.D.Name() != "sqlite" {
		return
	}
	if _, err := e.st.Exec(e.ctx, `INSERT INTO dedupe_fts (dedupe_fts, rank) VALUES ('integrity-check', 1)`); err != nil {
		e.t.Fatalf("FTS index out of step with dedupe_doc: %v", err)
	}
}

func TestKeyIndexFollowsEveryWrite(t *testing.T) {
	e := newEnv(t)
	a := e.create("account", records.Input{"name": "Acme Trading Co., Ltd.", "email": "info@acme.example", "phone": "+86 21 5555 0101"})
	e.checkIndexed("account", a)
	before, _ := e.dup.IndexedKeys(e.ctx, e.tenant, "account", a)

	// A change of a value no rule compares leaves the keys alone.
	if _, err := e.recs.Update(e.ctx, "account", a, records.Input{"city": "Shanghai"}, ""); err != nil {
		t.Fatal(err)
	}
	e.checkIndexed("account", a)
	if after, _ := e.dup.IndexedKeys(e.ctx, e.tenant, "account", a); !slices.Equal(after, before) {
		t.Fatal("keys changed by an unrelated update")
	}
	// New e-mail: its key replaces the old one, and only the new one finds the record.
	if _, err := e.recs.Update(e.ctx, "account", a, records.Input{"email": "sales@acme.example"}, ""); err != nil {
		t.Fatal(err)
	}
	e.checkIndexed("account", a)
	if got, _ := e.dup.Find(e.ctx, "account", map[string]any{"email": "SALES@acme.example"}); !slices.Equal(candidateIDs(got), []string{a}) {
		t.Fatalf("new e-mail: %+v", got)
	}

	// A record whose last key goes loses its index row; one that gains a key gets it back.
	if _, err := e.dup.SetRules(e.ctx, "contact", dedupe.Defaults("contact")[:2]); err != nil { // e-mail and phones only
		t.Fatal(err)
	}
	c := e.create("contact", records.Input{"last_name": "Solo", "email": "solo@example.com"})
	e.checkIndexed("contact", c)
	if _, err := e.recs.Update(e.ctx, "contact", c, records.Input{"email": nil}, ""); err != nil {
		t.Fatal(err)
	}
	if ks, _ := e.dup.IndexedKeys(e.ctx, e.tenant, "contact", c); ks != nil {
		t.Fatalf("a contact without keys is still indexed: %v", ks)
	}
	if _, err := e.recs.Update(e.ctx, "contact", c, records.Input{"phone": "138 0013 8000"}, ""); err != nil {
		t.Fatal(err)
	}
	e.checkIndexed("contact", c)

	// A bulk write indexes every row; a delete drops the row.
	rows := make([]records.Input, 300)
	for i := range rows {
		rows[i] = records.Input{"name": fmt.Sprintf("北京东方科技%d有限公司", i%50), "email": fmt.Sprintf("x%d@example.cn", i)}
	}
	ids, errs, err := e.recs.CreateMany(e.ctx, "account", rows)
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	for _, id := range ids {
		e.checkIndexed("account", id)
	}
	if err := e.recs.Delete(e.ctx, "account", ids[7], ""); err != nil {
		t.Fatal(err)
	}
	e.checkIndexed("account", ids[7])
	got, _ := e.dup.Find(e.ctx, "account", map[string]any{"name": "北京东方科技7有限公司"})
	same := 0
	for _, c := range got {
		if c.Score == 1 {
			same++
		}
	}
	if same != 5 {
		t.Errorf("same name, six written, one deleted: %d candidates of score 1", same)
	}

	// Changing the rules rebuilds the index with the new keys (a page of 64 records at a time).
	defer dedupe.SetReindexPage(64)()
	if _, err := e.dup.SetRules(e.ctx, "account", []dedupe.Rule{{Name: "email", Match: dedupe.MatchEmail, Attributes: []string{"email"}}}); err != nil {
		t.Fatal(err)
	}
	e.checkIndexed("account", a)
	for _, id := range ids {
		e.checkIndexed("account", id)
	}
	e.checkFTS()
}

// TestDescribeManyAgreesWithDescribe writes a batch where most records are unique and a few
// match another by e-mail, phone, a similar name or the same name: describing the batch at once
// (which looks up only the records holding a key another holds) says what describing each does.
func TestDescribeManyAgreesWithDescribe(t *testing.T) {
	e := newEnv(t)
	e.create("account", records.Input{"name": "Kestrel Systems Ltd", "email": "hello@kestrel.example"})
	var rows []records.Input
	for i := range 60 {
		sum := sha256.Sum256([]byte{byte(i)}) // names that share hardly a bigram
		rows = append(rows, records.Input{"name": fmt.Sprintf("%x", sum[:6]), "email": fmt.Sprintf("u%d@firm%d.example", i, i)})
	}
	rows = append(rows,
		records.Input{"name": "Kestrel Systems", "phone": "021 5555 0101"},     // similar name to the existing one
		records.Input{"name": "Blue Harbor", "email": "HELLO@kestrel.example"}, // its e-mail
		records.Input{"name": "Harbor Blue Trading", "phone": "+86 21 5555 0101"},
		records.Input{"name": "北京东方科技有限公司"},
		records.Input{"name": "北京东方科技"},
	)
	ids, errs, err := e.recs.CreateMany(e.ctx, "account", rows)
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	vals := make([]map[string]any, len(rows))
	for i, r := range rows {
		vals[i] = r
	}
	many, err := e.dup.DescribeMany(e.ctx, "account", ids, vals, 1000)
	if err != nil {
		t.Fatal(err)
	}
	flagged := 0
	for i, id := range ids {
		one, err := e.dup.Describe(e.ctx, "account", id, vals[i])
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(many[i], one) {
			t.Errorf("row %d (%v): at once %q, alone %q", i, vals[i]["name"], many[i], one)
		}
		if len(one) > 0 {
			flagged++
		}
	}
	if flagged != 5 {
		t.Errorf("%d rows with possible duplicates, want the last 5", flagged)
	}
	// The cap: no row is described once max lines are.
	few, _ := e.dup.DescribeMany(e.ctx, "account", ids, vals, 1)
	described := 0
	for _, lines := range few {
		if len(lines) > 0 {
			described++
		}
	}
	if described != 1 {
		t.Errorf("max 1: %d rows described", described)
	}
}

// TestCandidatesAreReadByDocument: on SQLite a look-up maps its best documents to records by
// their ids. Given the tenant and entity as well, the planner preferred their index and read
// every document of the tenant for each look-up; the query must search by document id.
func TestCandidatesAreReadByDocument(t *testing.T) {
	e := newEnv(t)
	if e.st.D.Name() != "sqlite" {
		t.Skip("SQLite only: on PostgreSQL the GIN look-up returns the records themselves, with no document ids to map")
	}
	for i := range 50 {
		e.create("account", records.Input{"name": fmt.Sprintf("Plan %d", i)})
	}
	plan, err := e.dup.DocRecordsPlan(e.ctx, e.tenant, 20)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan, "INTEGER PRIMARY KEY") || strings.Contains(plan, "dedupe_doc_record") {
		t.Fatalf("documents to records: %s", plan)
	}
}
