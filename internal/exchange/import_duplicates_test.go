package exchange_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/dedupe"
	"github.com/meridian-crm/meridian/internal/exchange"
)

// TestDuplicateWarningsStopAtTheirCap imports 300 accounts of one name with the duplicate
// service wired: every row is a possible duplicate of every other (found by the whole-name key
// although each of the name's bigrams is held by 300 records). The warnings stop at their cap,
// and so do the look-ups (each would cost a query per key for nothing listed).
func TestDuplicateWarningsStopAtTheirCap(t *testing.T) {
	e := newEnv(t)
	dup := dedupe.Wire(e.svc)
	calls := 0
	e.im.Duplicates = func(ctx context.Context, entity string, ids []string, vals []map[string]any, max int) ([][]string, error) {
		calls++
		return dup.DescribeMany(ctx, entity, ids, vals, max)
	}
	rows := [][]string{{"name", "account_number"}}
	for i := range 300 {
		rows = append(rows, []string{"Acme Trading Co., Ltd.", fmt.Sprintf("A-%03d", i)})
	}
	s, _ := e.run(exchange.Request{Entity: "account", Path: e.file("same.csv", csvBytes(',', rows...))})
	wantCounts(t, s, 300, 0, 0, 0)
	if n := len(s.Warnings); n != 201 || s.Warnings[n-1] != "more possible duplicates are not listed" {
		t.Fatalf("%d warnings, the last %q", n, s.Warnings[n-1])
	}
	// A batch is written before its rows are compared, so the first row finds the later ones.
	if !strings.HasPrefix(s.Warnings[0], "line 2: possible duplicate of account") || !strings.Contains(s.Warnings[0], `"Acme Trading Co., Ltd." (matched by name, score 1)`) {
		t.Errorf("first warning: %q", s.Warnings[0])
	}
	if calls != 1 {
		t.Errorf("%d look-ups for one batch", calls)
	}
}
