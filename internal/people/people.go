// Package people is the behaviour of the records that name a person — contacts and leads: their
// full name is composed from the first and last names, the way the person's script writes it.
package people

import (
	"context"
	"strings"
	"unicode"

	"github.com/meridian-crm/meridian/internal/records"
)

// Entities are the entities whose records name a person by first and last name.
var Entities = []string{"contact", "lead"}

// Wire registers the composition of full names with the write pipeline.
func Wire(recs *records.Service) {
	for _, e := range Entities {
		recs.Register(records.Hook{Name: "people.full_name", Entity: e, Derive: func(_ context.Context, d records.Draft) error {
			composeFullName(d)
			return nil
		}})
	}
}

// FullName is the full name of a person with the given first and last names: "Ada Lovelace"
// in Latin script, family name first without a space in Chinese ("王小明"); either alone when
// the other is empty.
func FullName(first, last string) string {
	first, last = strings.TrimSpace(first), strings.TrimSpace(last)
	switch {
	case first == "":
		return last
	case last == "":
		return first
	case isHan(first) && isHan(last):
		return last + first
	default:
		return first + " " + last
	}
}

// composeFullName fills full_name from first and last name when a write sets either and not
// full_name itself.
func composeFullName(d records.Draft) {
	if _, set := d.Values["full_name"]; set {
		return
	}
	_, f := d.Values["first_name"]
	_, l := d.Values["last_name"]
	if !f && !l {
		return
	}
	get := func(k string) string {
		v, _ := d.Get(k)
		s, _ := v.(string)
		return s
	}
	d.Values["full_name"] = FullName(get("first_name"), get("last_name"))
}

func isHan(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}
