package records

import (
	"encoding/json"
	"strings"
	"unicode"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// A hook adds behaviour of one entity to the write path: it may derive values before they are
// validated against the database. vals holds the values being written; current the stored ones
// (nil on create).
type hook func(vals, current map[string]any)

var hooks = map[string][]hook{
	"contact":          {composeFullName},
	"lead":             {composeFullName},
	"opportunity":      {stageDefaults},
	"opportunity_line": {lineTotal},
	"user":             {lowerEmail},
}

// lowerEmail stores user emails in lower case: sign-in matches them exactly through the index.
func lowerEmail(vals, _ map[string]any) {
	if s, ok := vals["email"].(string); ok {
		vals["email"] = strings.ToLower(strings.TrimSpace(s))
	}
}

func runHooks(e *metadata.Entity, vals, current map[string]any) {
	for _, h := range hooks[e.Name] {
		h(vals, current)
	}
}

// composeFullName fills full_name from first and last name when the client does not set it:
// "Ada Lovelace" in Latin script, family name first without a space in Chinese ("王小明").
func composeFullName(vals, current map[string]any) {
	if _, set := vals["full_name"]; set {
		return
	}
	_, f := vals["first_name"]
	_, l := vals["last_name"]
	if !f && !l {
		return
	}
	get := func(k string) string {
		if v, ok := vals[k]; ok {
			s, _ := v.(string)
			return s
		}
		if current != nil {
			s, _ := current[k].(string)
			return s
		}
		return ""
	}
	first, last := strings.TrimSpace(get("first_name")), strings.TrimSpace(get("last_name"))
	switch {
	case first == "":
		vals["full_name"] = last
	case last == "":
		vals["full_name"] = first
	case isHan(first) && isHan(last):
		vals["full_name"] = last + first
	default:
		vals["full_name"] = first + " " + last
	}
}

func isHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

// jsonNumber wraps key text so that integer attributes convert it like a JSON number.
func jsonNumber(s string) any { return json.Number(s) }
