package store

import (
	"reflect"
	"testing"
)

func TestPositional(t *testing.T) {
	q, args := positional(`SELECT ?2, '?9' FROM t WHERE a = ?1 AND b IN (?3, ?1) AND c LIKE ?2 ESCAPE '\'`, []any{"a", "b", "c"})
	if q != `SELECT ?, '?9' FROM t WHERE a = ? AND b IN (?, ?) AND c LIKE ? ESCAPE '\'` {
		t.Fatalf("sql %s", q)
	}
	if want := []any{"b", "a", "c", "a", "b"}; !reflect.DeepEqual(args, want) {
		t.Fatalf("args %v, want %v", args, want)
	}
	q, args = positional(`SELECT 1`, nil)
	if q != `SELECT 1` || args != nil {
		t.Fatalf("unnumbered SQL changed: %s %v", q, args)
	}
}
