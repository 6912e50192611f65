package query

import (
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token of a system query option value.
type tokKind int

const (
	tokEOF      tokKind = iota
	tokError            // val holds the message; the parser never advances past it
	tokIdent            // name such as contacts, eq, tolower
	tokSysIdent         // $-prefixed name such as $count or $select
	tokInt              // unsigned or '+'-signed digits that fit in an int64
	tokDecimal          // number with a fraction or exponent, or an integer too big for int64
	tokString           // val holds the unescaped content
	tokDate             // YYYY-MM-DD
	tokDateTime         // val holds the timestamp with seconds filled in
	tokGUID             // 8-4-4-4-12 hexadecimal digits
	tokLParen
	tokRParen
	tokComma
	tokSlash
	tokColon
	tokSemicolon
	tokEquals
	tokMinus
	tokStar
)

// token is one lexeme. text is always the source text, so that error messages can quote it.
type token struct {
	kind tokKind
	pos  int
	text string
	val  string
}

var punctKinds = map[byte]tokKind{
	'(': tokLParen, ')': tokRParen, ',': tokComma, '/': tokSlash, ':': tokColon,
	';': tokSemicolon, '=': tokEquals, '-': tokMinus, '*': tokStar,
}

// lexer turns an option value into tokens on demand, so that the first fault reported is the
// first one in the text.
type lexer struct {
	src string
	pos int
}

func (lx *lexer) next() token {
	for lx.pos < len(lx.src) && lxSpace(lx.src[lx.pos]) {
		lx.pos++
	}
	s := lx.pos
	if s >= len(lx.src) {
		return token{kind: tokEOF, pos: s}
	}
	c := lx.src[s]
	switch {
	case c == '\'':
		return lx.scanString()
	case lxDigit(c):
		return lx.scanDigits()
	case c == '+' && s+1 < len(lx.src) && lxDigit(lx.src[s+1]):
		return lx.scanNumber()
	case lxHex(c) && lxGUID(lx.src[s:]):
		return lx.emit(tokGUID, s+36)
	case lxNameStart(c):
		return lx.emit(tokIdent, lx.identEnd(s))
	case c == '$':
		end := lx.identEnd(s + 1)
		if end == s+1 {
			return lx.fail(s, "expected a name after '$'")
		}
		return lx.emit(tokSysIdent, end)
	}
	if k, ok := punctKinds[c]; ok {
		return lx.emit(k, s+1)
	}
	r, _ := utf8.DecodeRuneInString(lx.src[s:])
	return lx.fail(s, fmt.Sprintf("unexpected character %q", r))
}

func (lx *lexer) emit(k tokKind, end int) token {
	t := token{kind: k, pos: lx.pos, text: lx.src[lx.pos:end]}
	lx.pos = end
	return t
}

// fail returns an error token and moves to the end, so that nothing is lexed past a fault.
func (lx *lexer) fail(pos int, msg string) token {
	lx.pos = len(lx.src)
	return token{kind: tokError, pos: pos, val: msg}
}

func (lx *lexer) identEnd(i int) int {
	if i >= len(lx.src) || !lxNameStart(lx.src[i]) {
		return i
	}
	for i < len(lx.src) && lxNameChar(lx.src[i]) {
		i++
	}
	return i
}

// scanString scans a single-quoted string in which ” stands for one quote.
func (lx *lexer) scanString() token {
	s := lx.pos
	var val []byte
	start := s + 1
	for i := start; i < len(lx.src); i++ {
		if lx.src[i] != '\'' {
			continue
		}
		if i+1 < len(lx.src) && lx.src[i+1] == '\'' {
			val = append(val, lx.src[start:i+1]...)
			start = i + 2
			i++
			continue
		}
		t := lx.emit(tokString, i+1)
		if val == nil {
			t.val = lx.src[start:i]
		} else {
			t.val = string(append(val, lx.src[start:i]...))
		}
		return t
	}
	return lx.fail(s, "unterminated string literal")
}

// scanDigits tells a GUID, a date, a date-time and a number apart; all start with a digit.
func (lx *lexer) scanDigits() token {
	s := lx.pos
	rest := lx.src[s:]
	if lxGUID(rest) {
		return lx.emit(tokGUID, s+36)
	}
	if !lxDate(rest) {
		return lx.scanNumber()
	}
	end := s + 10
	if !lxValidDate(rest[:10]) {
		return lx.fail(s, "invalid date literal '"+rest[:10]+"'")
	}
	if end < len(lx.src) && lx.src[end] == 'T' {
		return lx.scanDateTime()
	}
	if end < len(lx.src) && (lxNameChar(lx.src[end]) || lx.src[end] == '.') {
		return lx.fail(s, "invalid date literal")
	}
	return lx.emit(tokDate, end)
}

// scanDateTime scans YYYY-MM-DDThh:mm[:ss[.fff]](Z|±hh:mm). Missing seconds are filled in in
// val, so that the value is always RFC 3339.
func (lx *lexer) scanDateTime() token {
	s, src := lx.pos, lx.src
	i := s + 11
	bad := func() token { return lx.fail(s, "invalid datetime literal") }
	if !lxClock(src, i, 24) {
		return bad()
	}
	i += 5
	seconds := ":00"
	if i < len(src) && src[i] == ':' {
		if !lxTwoDigits(src, i+1, 60) {
			return bad()
		}
		seconds = ""
		i += 3
		if i < len(src) && src[i] == '.' {
			j := i + 1
			for j < len(src) && lxDigit(src[j]) {
				j++
			}
			if j == i+1 {
				return bad()
			}
			i = j
		}
	}
	offset := i
	switch {
	case i < len(src) && src[i] == 'Z':
		i++
	case i < len(src) && (src[i] == '+' || src[i] == '-'):
		if !lxClock(src, i+1, 24) {
			return bad()
		}
		i += 6
	case i+6 <= len(src) && src[i] == ' ' && lxClock(src, i+1, 24):
		return lx.fail(s, "datetime literal has no time zone offset; a '+' in a URL means a space, encode it as %2B")
	default:
		return lx.fail(s, "datetime literal needs a time zone offset (Z or ±hh:mm)")
	}
	if i < len(src) && (lxNameChar(src[i]) || src[i] == '.' || src[i] == ':') {
		return bad()
	}
	t := lx.emit(tokDateTime, i)
	t.val = src[s:offset] + seconds + src[offset:i]
	return t
}

// scanNumber scans [+]digits[.digits][(e|E)[±]digits].
func (lx *lexer) scanNumber() token {
	s, src := lx.pos, lx.src
	i := s
	if src[i] == '+' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(src) && lxDigit(src[i]) {
			i++
		}
		return i > j
	}
	digits()
	kind := tokInt
	if i < len(src) && src[i] == '.' {
		i++
		if !digits() {
			return lx.fail(s, "invalid number literal")
		}
		kind = tokDecimal
	}
	if i < len(src) && (src[i] == 'e' || src[i] == 'E') {
		i++
		if i < len(src) && (src[i] == '+' || src[i] == '-') {
			i++
		}
		if !digits() {
			return lx.fail(s, "invalid number literal")
		}
		kind = tokDecimal
	}
	if i < len(src) && (lxNameChar(src[i]) || src[i] == '.') {
		return lx.fail(s, "invalid number literal")
	}
	if kind == tokInt {
		if _, err := strconv.ParseInt(src[s:i], 10, 64); err != nil {
			kind = tokDecimal // OData reads an integer beyond Int64 as a Decimal
		}
	}
	return lx.emit(kind, i)
}

func lxSpace(c byte) bool     { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func lxDigit(c byte) bool     { return '0' <= c && c <= '9' }
func lxLetter(c byte) bool    { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func lxNameStart(c byte) bool { return lxLetter(c) || c == '_' }
func lxNameChar(c byte) bool  { return lxNameStart(c) || lxDigit(c) }
func lxHex(c byte) bool       { return lxDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// lxGUID reports whether s starts with an 8-4-4-4-12 GUID that is not part of a longer name.
func lxGUID(s string) bool {
	if len(s) < 36 || len(s) > 36 && (lxNameChar(s[36]) || s[36] == '-') {
		return false
	}
	for i := 0; i < 36; i++ {
		switch i {
		case 8, 13, 18, 23:
			if s[i] != '-' {
				return false
			}
		default:
			if !lxHex(s[i]) {
				return false
			}
		}
	}
	return true
}

// lxDate reports whether s starts with the shape YYYY-MM-DD.
func lxDate(s string) bool {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for _, i := range []int{0, 1, 2, 3, 5, 6, 8, 9} {
		if !lxDigit(s[i]) {
			return false
		}
	}
	return true
}

func lxValidDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// lxClock reports whether src[i:] starts with hh:mm, hh below maxHour.
func lxClock(src string, i, maxHour int) bool {
	return lxTwoDigits(src, i, maxHour) && i+2 < len(src) && src[i+2] == ':' &&
		lxTwoDigits(src, i+3, 60)
}

// lxTwoDigits reports whether src[i:] starts with two digits whose value is below limit.
func lxTwoDigits(src string, i, limit int) bool {
	if i+2 > len(src) || !lxDigit(src[i]) || !lxDigit(src[i+1]) {
		return false
	}
	return int(src[i]-'0')*10+int(src[i+1]-'0') < limit
}
