package records

import (
	"context"
	"encoding/json"
	"strings"
	"time"
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

func (s *Service) runHooks(ctx context.Context, e *metadata.Entity, vals, current map[string]any) error {
	for _, h := range hooks[e.Name] {
		h(vals, current)
	}
	if fs := s.beforeWrite[e.Name]; len(fs) > 0 {
		now := s.clock().UTC()
		for _, f := range fs {
			if err := f(ctx, now, vals, current); err != nil {
				return err
			}
		}
	}
	return nil
}

// BeforeWrite registers fn to derive values of entity's records on every create (current nil)
// and update, after the input is converted and before lookups are checked and the row written —
// for behaviour wired from outside the package, such as service-level timers. vals holds typed
// values (time.Time for datetimes, int64 for integers); now is the service's clock; ctx carries
// the writing transaction (fn may read, e.g. the tenant's settings). An error from fn fails the
// write. Register before serving requests.
func (s *Service) BeforeWrite(entity string, fn func(ctx context.Context, now time.Time, vals, current map[string]any) error) {
	if s.beforeWrite == nil {
		s.beforeWrite = map[string][]func(context.Context, time.Time, map[string]any, map[string]any) error{}
	}
	s.beforeWrite[entity] = append(s.beforeWrite[entity], fn)
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
