package query

import (
	"strconv"
	"strings"
)

// ParseOptions parses the raw, still percent-encoded query string of a request, such as
// "$filter=name%20eq%20'x'&$top=10&$expand=contacts($select=full_name;$top=5)&foo=bar".
//
// Parameters whose name does not start with "$" are ignored. System query option names are
// matched case-insensitively ($FILTER is $filter); an unknown one, or one given twice, is a
// *SyntaxError. Every error is a *SyntaxError whose Option is the canonical lower-case name
// and whose Pos is a byte offset in the decoded value.
//
// The query is split on '&' here rather than by url.ParseQuery, which rejects the ';' that
// separates nested $expand options. As in HTML forms, '+' decodes to a space, so a literal
// '+' (as in a time zone offset) must be sent as %2B.
func ParseOptions(rawQuery string) (*Options, error) {
	opts := &Options{}
	seen := map[string]bool{}
	for rawQuery != "" {
		var part string
		part, rawQuery, _ = strings.Cut(rawQuery, "&")
		if part == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(part, "=")
		key, bad := queryUnescape(rawKey)
		if bad >= 0 {
			if strings.HasPrefix(rawKey, "$") || strings.HasPrefix(strings.ToLower(rawKey), "%24") {
				return nil, &SyntaxError{Option: clipText(rawKey, 32), Pos: bad,
					Msg: "invalid percent-encoding in option name"}
			}
			continue
		}
		if !strings.HasPrefix(key, "$") {
			continue
		}
		name := strings.ToLower(key)
		if !isSystemOption(name) {
			return nil, &SyntaxError{Option: clipText(strings.ToValidUTF8(key, "\uFFFD"), 32),
				Msg: "unknown system query option"}
		}
		if seen[name] {
			return nil, &SyntaxError{Option: name, Msg: "option given more than once"}
		}
		seen[name] = true
		value, bad := queryUnescape(rawValue)
		if bad >= 0 {
			return nil, &SyntaxError{Option: name, Pos: bad, Msg: "invalid percent-encoding"}
		}
		if err := setOption(opts, name, value); err != nil {
			return nil, err
		}
	}
	return opts, nil
}

func isSystemOption(name string) bool {
	switch name {
	case "$filter", "$select", "$orderby", "$top", "$skip", "$count", "$expand", "$apply",
		"$skiptoken", "$deltatoken", "$format", "$search":
		return true
	}
	return false
}

// setOption parses value as the option name, which isSystemOption has accepted.
func setOption(o *Options, name, value string) error {
	var err error
	switch name {
	case "$filter":
		o.Filter, err = ParseFilter(value)
	case "$select":
		o.Select, err = ParseSelect(value)
	case "$orderby":
		o.OrderBy, err = ParseOrderBy(value)
	case "$expand":
		o.Expand, err = ParseExpand(value)
	case "$apply":
		o.Apply, err = ParseApply(value)
	case "$top", "$skip":
		var n int
		if n, err = parseNonNegativeOption(name, value); err == nil {
			if name == "$top" {
				o.Top = &n
			} else {
				o.Skip = &n
			}
		}
	case "$count":
		switch value {
		case "true", "false":
			o.Count = value == "true"
		default:
			err = &SyntaxError{Option: name, Msg: "expected true or false"}
		}
	default:
		if err = checkOptionValue(name, value); err != nil {
			return err
		}
		switch name {
		case "$skiptoken":
			o.SkipToken = value
		case "$deltatoken":
			o.DeltaToken = value
		case "$format":
			o.Format = value
		case "$search":
			o.Search = value
		}
	}
	return err
}

// parseNonNegativeOption parses the value of $top or $skip: decimal digits only.
func parseNonNegativeOption(name, value string) (int, error) {
	for i := 0; i < len(value); i++ {
		if !lxDigit(value[i]) {
			return 0, &SyntaxError{Option: name, Pos: i, Msg: "expected a non-negative integer"}
		}
	}
	if value == "" {
		return 0, &SyntaxError{Option: name, Msg: "expected a non-negative integer"}
	}
	n, err := strconv.Atoi(value)
	if err != nil {
		return 0, &SyntaxError{Option: name, Msg: "integer out of range"}
	}
	return n, nil
}

// queryUnescape decodes %XX escapes and '+' like url.QueryUnescape. On a malformed escape it
// returns the offset, in the decoded text, where the escape stands; otherwise -1.
func queryUnescape(s string) (string, int) {
	if !strings.ContainsAny(s, "%+") {
		return s, -1
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '+':
			b = append(b, ' ')
		case '%':
			if i+2 >= len(s) || !lxHex(s[i+1]) || !lxHex(s[i+2]) {
				return "", len(b)
			}
			b = append(b, lxHexValue(s[i+1])<<4|lxHexValue(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b), -1
}

func lxHexValue(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}
