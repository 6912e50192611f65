package dedupe

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// foldWidth maps full-width and half-width forms to their canonical ones (ASCII text has none).
func foldWidth(s string) string {
	if isASCII(s) {
		return s
	}
	return width.Fold.String(s)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// NormalEmail is an e-mail address as matched: trimmed and lower-cased ("" when it has no @).
func NormalEmail(s string) string {
	s = strings.ToLower(strings.TrimSpace(foldWidth(s)))
	if !strings.Contains(s, "@") {
		return ""
	}
	return s
}

// E164 renders a phone number in E.164 form (+ and digits), or "" when it has too few digits.
// A number written with a leading + (or 00) keeps its country code. Otherwise cc, the rule's
// default country code ("+86", "+1"), is put in front, except that national trunk prefixes are
// handled for the two plans the defaults know: an 11-digit Chinese mobile number (1xxxxxxxxxx)
// takes +86 and a 10-digit North American number takes +1 whatever cc is, and a leading 0 trunk
// prefix is dropped before cc. Extensions ("x123", "ext. 123", "转123") are ignored.
func E164(s, cc string) string {
	s = foldWidth(s)
	if isASCII(s) { // lower-casing keeps every byte where it is: one copy serves every separator
		lower := strings.ToLower(s)
		for _, sep := range extensionSeps {
			if i := strings.Index(lower, sep); i > 0 {
				s, lower = s[:i], lower[:i]
			}
		}
	} else {
		for _, sep := range extensionSeps {
			if i := strings.Index(strings.ToLower(s), sep); i > 0 {
				s = s[:i]
			}
		}
	}
	plus := strings.HasPrefix(strings.TrimSpace(s), "+")
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if !plus && strings.HasPrefix(d, "00") {
		plus, d = true, d[2:]
	}
	if len(d) < 7 {
		return ""
	}
	if plus {
		return "+" + d
	}
	switch {
	case len(d) == 11 && d[0] == '1' && (cc == "+86" || cc == ""):
		return "+86" + d
	case len(d) == 10 && d[0] != '0' && d[0] != '1' && (cc == "+1" || cc == ""):
		return "+1" + d
	case len(d) == 11 && d[0] == '1' && cc == "+1":
		return "+" + d
	}
	d = strings.TrimLeft(d, "0")
	if cc == "" {
		return "+" + d
	}
	return cc + d
}

// extensionSeps start the extension of a phone number ("x123", "ext. 123", "转123").
var extensionSeps = []string{"ext", "x", "#", "转", ";"}

// Domain is a website's host without "www." and port, lower-cased ("" when there is none).
func Domain(s string) string {
	s = strings.ToLower(strings.TrimSpace(foldWidth(s)))
	if s == "" {
		return ""
	}
	if h, ok := plainHost(s); ok {
		h = strings.TrimPrefix(h, "www.")
		if !strings.Contains(h, ".") {
			return ""
		}
		return h
	}
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	h := strings.TrimPrefix(u.Hostname(), "www.")
	if !strings.Contains(h, ".") {
		return ""
	}
	return h
}

// plainHost returns the host of a lower-cased web address whose host is plain — letters, digits,
// dots and hyphens, after an optional scheme and before an optional path, query or fragment —
// which is what url.Parse would make of it. Anything else (user info, a port, brackets, escapes,
// other characters) is left to url.Parse.
func plainHost(s string) (string, bool) {
	if i := strings.Index(s, "://"); i >= 0 {
		scheme := s[:i]
		if scheme == "" || scheme[0] < 'a' || scheme[0] > 'z' {
			return "", false
		}
		for j := 1; j < len(scheme); j++ {
			if c := scheme[j]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.') {
				return "", false
			}
		}
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	for j := 0; j < len(s); j++ {
		if c := s[j]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return "", false
		}
	}
	return s, true
}

// companySuffixes are legal-form words dropped from company names before they are compared,
// longest first so "股份有限公司" goes before "有限公司" and "公司".
var companySuffixes = []string{
	"股份有限公司", "有限责任公司", "有限公司", "集团", "公司",
	"incorporated", "corporation", "company", "limited", "gmbh", "corp", "inc", "ltd", "llc", "plc", "co", "ag", "sa",
}

// NormalName folds a name for comparison: full-width forms to ASCII, lower case, punctuation
// and spaces removed (Latin words keep a single space between them), and, when company is set,
// common legal-form suffixes (Inc, Ltd, LLC, GmbH, Co., Corp, 有限公司, 股份有限公司, 集团, …)
// dropped from the end.
func NormalName(s string, company bool) string {
	s = strings.ToLower(foldWidth(s))
	if isASCII(s) {
		return normalASCIIName(s, company)
	}
	var words []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			words = append(words, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			flush()
			words = append(words, string(r))
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(r)
		case r == '&':
			flush()
			words = append(words, "&")
		default:
			flush()
		}
	}
	flush()
	if company {
		words = stripSuffixes(words)
	}
	var b strings.Builder
	for i, w := range words {
		if i > 0 && !isHanWord(w) && !isHanWord(words[i-1]) {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	return b.String()
}

// normalASCIIName is NormalName of lower-case ASCII text: words of letters and digits, "&" a word
// of its own, anything else a separator.
func normalASCIIName(s string, company bool) string {
	var words []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			j := i + 1
			for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			words = append(words, s[i:j])
			i = j
		case c == '&':
			words = append(words, "&")
			i++
		default:
			i++
		}
	}
	if company {
		words = stripSuffixes(words)
	}
	return strings.Join(words, " ")
}

// suffixWords is how many words each company suffix is (a Han character is a word).
var suffixWords = func() []int {
	n := make([]int, len(companySuffixes))
	for i, suf := range companySuffixes {
		n[i] = 1
		if isHanWord(suf) {
			n[i] = utf8.RuneCountInString(suf)
		}
	}
	return n
}()

// stripSuffixes drops legal-form suffixes from the end of words (Han characters are one word
// each), repeatedly ("Acme Holdings Co., Ltd" loses "ltd" and "co"), keeping at least one word.
func stripSuffixes(words []string) []string {
	for {
		cut := false
		for i, suf := range companySuffixes {
			n := suffixWords[i]
			if len(words) <= n {
				continue
			}
			if endsWith(words[len(words)-n:], suf) {
				words, cut = words[:len(words)-n], true
				break
			}
		}
		if !cut {
			return words
		}
	}
}

// endsWith reports whether words, joined, are suf.
func endsWith(words []string, suf string) bool {
	for _, w := range words {
		if !strings.HasPrefix(suf, w) {
			return false
		}
		suf = suf[len(w):]
	}
	return suf == ""
}

func isHanWord(w string) bool {
	for _, r := range w {
		return unicode.Is(unicode.Han, r)
	}
	return false
}

// Bigrams returns the distinct character bigrams of a normalised name (spaces ignored, so it
// works alike for Chinese, which has no spaces, and for Latin names); a one-character name is
// its own single gram.
func Bigrams(name string) []string {
	name = strings.ReplaceAll(name, " ", "")
	if utf8.RuneCountInString(name) == 1 {
		return []string{name}
	}
	out := make([]string, 0, len(name))
	for i, r := range name {
		j := i + utf8.RuneLen(r)
		if j >= len(name) {
			break
		}
		_, n := utf8.DecodeRuneInString(name[j:])
		g := name[i : j+n] // a substring: no copy
		if !slices.Contains(out, g) {
			out = append(out, g)
		}
	}
	return out
}

// Dice is the Sørensen–Dice similarity of two sets of bigrams: 2|a∩b| / (|a|+|b|), from 0 to 1.
func Dice(a, b []string) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	in := map[string]bool{}
	for _, g := range a {
		in[g] = true
	}
	n := 0
	for _, g := range b {
		if in[g] {
			n++
		}
	}
	return 2 * float64(n) / float64(len(a)+len(b))
}
