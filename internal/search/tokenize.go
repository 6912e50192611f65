package search

import (
	"strings"
	"unicode"
)

// Tokenization is done in Go, the same way for both databases, because Chinese (and Japanese)
// text has no spaces: the databases' own tokenizers would take a whole CJK run as one word, so
// "上海" would never match "上海华东贸易有限公司". A text becomes:
//
//   - Latin (and other spaced scripts) words: runs of letters and digits, lowercased;
//   - CJK runs: every character, and every overlapping pair of characters (bigrams).
//
// A query becomes the same tokens: a CJK run of one character matches the character, a longer
// run matches all its bigrams; the last Latin word of a query also matches as a prefix, so
// results appear while the user types.

// isCJK reports whether r belongs to a script written without spaces between words.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) ||
		unicode.Is(unicode.Hangul, r)
}

func isWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// run is a maximal stretch of word characters of one kind.
type run struct {
	text string
	cjk  bool
}

// runs splits s into lowercased runs of word characters, CJK and non-CJK apart.
func runs(s string) []run {
	var out []run
	var b strings.Builder
	cur := false
	flush := func() {
		if b.Len() > 0 {
			out = append(out, run{text: b.String(), cjk: cur})
			b.Reset()
		}
	}
	for _, r := range s {
		switch {
		case isCJK(r):
			if !cur {
				flush()
			}
			cur = true
			b.WriteRune(r)
		case isWord(r):
			if cur {
				flush()
			}
			cur = false
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}

// maxTokenLen bounds a Latin token (long ones are hashes, URLs' remains or noise).
const maxTokenLen = 64

// Tokens returns the index tokens of text (see the package comment), in text order.
func Tokens(text string) []string {
	var out []string
	for _, r := range runs(text) {
		if !r.cjk {
			if len(r.text) <= maxTokenLen {
				out = append(out, r.text)
			}
			continue
		}
		cs := []rune(r.text)
		for i := range cs {
			out = append(out, string(cs[i]))
			if i+1 < len(cs) {
				out = append(out, string(cs[i:i+2]))
			}
		}
	}
	return out
}

// Term is one token a query requires; Prefix lets it match the start of a longer token.
type Term struct {
	Text   string
	Prefix bool
}

// maxTerms bounds the terms of one query (a pasted paragraph is not a search).
const maxTerms = 32

// Terms returns the tokens a query requires, every one of them (AND), duplicates removed.
func Terms(q string) []Term {
	var out []Term
	seen := map[string]bool{}
	add := func(t Term) {
		if !seen[t.Text] && len(out) < maxTerms {
			seen[t.Text] = true
			out = append(out, t)
		}
	}
	rs := runs(q)
	// The last word is a prefix only when the query does not end with a separator: "acme "
	// asks for the whole word.
	trailing := strings.TrimRightFunc(q, unicode.IsSpace) != q
	for i, r := range rs {
		if !r.cjk {
			if len(r.text) <= maxTokenLen {
				add(Term{Text: r.text, Prefix: i == len(rs)-1 && !trailing})
			}
			continue
		}
		cs := []rune(r.text)
		if len(cs) == 1 {
			add(Term{Text: r.text})
			continue
		}
		for i := 0; i+1 < len(cs); i++ {
			add(Term{Text: string(cs[i : i+2])})
		}
	}
	return out
}
