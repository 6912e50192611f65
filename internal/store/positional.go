package store

import (
	"strconv"
	"sync"
)

// SQLite resolves a numbered parameter (?17) by scanning its list of parameter names, so binding
// a statement with n numbered parameters costs O(n²) — a 1,000-value IN list pays for it. The
// query compiler numbers its parameters (its text order and argument order differ), so reads are
// rewritten to anonymous "?" parameters with the arguments reordered to match.

type positionalForm struct {
	sql   string
	order []int // for each "?" in sql, the 0-based index of its argument
}

var positionalCache sync.Map // numbered SQL → *positionalForm

const positionalCacheLimit = 4000

var positionalCacheSize int64
var positionalMu sync.Mutex

// positional returns q with ?N parameters replaced by ? and args reordered accordingly. Text in
// single quotes is left alone.
func positional(q string, args []any) (string, []any) {
	var f *positionalForm
	if v, ok := positionalCache.Load(q); ok {
		f = v.(*positionalForm)
	} else {
		f = rewritePositional(q)
		positionalMu.Lock()
		if positionalCacheSize < positionalCacheLimit {
			if _, loaded := positionalCache.LoadOrStore(q, f); !loaded {
				positionalCacheSize++
			}
		}
		positionalMu.Unlock()
	}
	if f.order == nil {
		return q, args
	}
	out := make([]any, len(f.order))
	for i, k := range f.order {
		if k < len(args) {
			out[i] = args[k]
		}
	}
	return f.sql, out
}

func rewritePositional(q string) *positionalForm {
	b := make([]byte, 0, len(q))
	var order []int
	numbered := false
	inQuote := false
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
		case !inQuote && c == '?' && i+1 < len(q) && q[i+1] >= '0' && q[i+1] <= '9':
			j := i + 1
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
			n, _ := strconv.Atoi(q[i+1 : j])
			order = append(order, n-1)
			numbered = true
			b = append(b, '?')
			i = j - 1
			continue
		}
		b = append(b, c)
	}
	if !numbered {
		return &positionalForm{sql: q}
	}
	return &positionalForm{sql: string(b), order: order}
}
