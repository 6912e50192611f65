package search

import (
	"strings"

	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
)

// snippetRunes is about how long a snippet is.
const snippetRunes = 160

// snippet returns a short excerpt of the first searchable attribute, other than the title,
// whose text matches a term, made from rec as the read path returned it (so it holds nothing
// the caller may not read); "" when only the title matched.
func snippet(e *metadata.Entity, rec *records.Record, terms []Term) string {
	for _, a := range Searchable(e) {
		if a.Name == e.PrimaryName {
			continue
		}
		s := textOf(rec.Get(a.Name))
		if s == "" {
			continue
		}
		if at := matchAt(s, terms); at >= 0 {
			return excerpt(s, at)
		}
	}
	return ""
}

// matchAt returns the rune offset in s of the first token matching a term, or -1.
func matchAt(s string, terms []Term) int {
	lower := []rune(strings.ToLower(s))
	best := -1
	for _, t := range terms {
		tr := []rune(t.Text)
		for i := 0; i+len(tr) <= len(lower); i++ {
			if string(lower[i:i+len(tr)]) != t.Text {
				continue
			}
			// Latin terms match at a word start (a prefix term) or as a whole word.
			if !isCJK(tr[0]) {
				if i > 0 && isWord(lower[i-1]) {
					continue
				}
				end := i + len(tr)
				if !t.Prefix && end < len(lower) && isWord(lower[end]) && !isCJK(lower[end]) {
					continue
				}
			}
			if best < 0 || i < best {
				best = i
			}
			break
		}
	}
	return best
}

// excerpt cuts about snippetRunes runes of s around rune offset at, marking cuts with "…".
func excerpt(s string, at int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= snippetRunes {
		return string(r)
	}
	// Whitespace collapsing can shift the offset a little; the window is wide enough for it.
	start := max(0, min(at-snippetRunes/4, len(r)-snippetRunes))
	end := min(len(r), start+snippetRunes)
	out := string(r[start:end])
	if start > 0 {
		out = "…" + out
	}
	if end < len(r) {
		out += "…"
	}
	return out
}
