package app

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/records"
)

// TestPipelineHooksAreDocumented: the hooks the server registers with the write pipeline are
// those docs/architecture.md lists ("The one write path"), with their entities and stages.
func TestPipelineHooksAreDocumented(t *testing.T) {
	c := Defaults()
	c.DB, c.DataDir = "sqlite:"+filepath.Join(t.TempDir(), "m.db"), t.TempDir()
	a, err := Open(t.Context(), c, NewLogger(c, io.Discard))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	stage := func(h records.Hook) string {
		var s []string
		for name, set := range map[string]bool{"Derive": h.Derive != nil, "React": h.React != nil, "Staged": h.Staged != nil, "AfterCommit": h.AfterCommit != nil} {
			if set {
				s = append(s, name)
			}
		}
		slices.Sort(s)
		return strings.Join(s, "+")
	}
	registered := map[string][]string{} // name and stage → entities
	for _, h := range a.Records.Hooks() {
		k := h.Name + " " + stage(h)
		registered[k] = append(registered[k], h.Entity)
	}
	doc, err := os.ReadFile("../../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_.]+)` — [^|]+\\| ([^|]+) \\| ([A-Za-z+]+) \\| [a-z]+ \\|$")
	documented := map[string][]string{}
	for _, m := range row.FindAllStringSubmatch(string(doc), -1) {
		documented[m[1]+" "+m[3]] = strings.Split(m[2], ", ")
	}
	for k, ents := range registered {
		slices.Sort(ents)
		doc := documented[k]
		slices.Sort(doc)
		if !slices.Equal(ents, doc) {
			t.Errorf("hook %s: registered for %v, documented for %v", k, ents, doc)
		}
	}
	for k := range documented {
		if registered[k] == nil {
			t.Errorf("hook %s: documented, not registered", k)
		}
	}
	if len(registered) < 10 {
		t.Errorf("%d hooks registered", len(registered))
	}
}
