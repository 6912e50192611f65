package search

import (
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// Which attributes are searched is decided by metadata, never per entity: the primary name (the
// title) and every text-like attribute (string, text, e-mail, phone, URL, autonumber) plus the
// attributes of alternate keys. Attributes under field-level security are left out of the
// index altogether, so neither a match nor a snippet can reveal what they hold.

// searchableType reports whether attributes of type t carry text worth searching.
func searchableType(t metadata.Type) bool {
	switch t {
	case metadata.TypeString, metadata.TypeText, metadata.TypeEmail, metadata.TypePhone, metadata.TypeURL, metadata.TypeAutonumber:
		return true
	}
	return false
}

// Searchable returns the attributes of e whose text is indexed, the primary name first; nil
// when the entity is not searched (a read-only union view such as activities, whose rows are
// indexed under their own entities, or an entity without text).
func Searchable(e *metadata.Entity) []*metadata.Attribute {
	if e == nil || e.ReadOnly() {
		return nil
	}
	keyed := map[string]bool{}
	for _, k := range e.AlternateKeys {
		for _, a := range k.Attributes {
			keyed[a] = true
		}
	}
	var out []*metadata.Attribute
	if a := e.Attr(e.PrimaryName); a != nil && !a.SecuredIn(e) {
		out = append(out, a)
	}
	for _, a := range e.Attributes {
		if a.Name == e.PrimaryName || a.SecuredIn(e) || a.Type == metadata.TypeLookup {
			continue
		}
		if searchableType(a.Type) || keyed[a.Name] {
			out = append(out, a)
		}
	}
	return out
}

// maxBodyRunes bounds the text indexed from one record (a long knowledge article is indexed in
// its first part).
const maxBodyRunes = 100_000

// document is one record's indexed text (the title field holds the primary name and the
// attributes marked search_boost), as space-separated tokens.
type document struct {
	entity, id string
	version    int64
	title      string
	body       string
}

// textOf renders an attribute value as text.
func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

// newDocument tokenizes the values of a record (vals in the order of attrs, the title first when
// the entity has a searchable primary name).
func newDocument(e *metadata.Entity, attrs []*metadata.Attribute, id string, version int64, vals []any) document {
	d := document{entity: e.Name, id: id, version: version}
	var body []string
	n := 0
	for i, a := range attrs {
		s := textOf(vals[i])
		if s == "" {
			continue
		}
		if a.Name == e.PrimaryName || a.SearchBoost {
			d.title = strings.TrimSpace(d.title + " " + strings.Join(Tokens(s), " "))
			continue
		}
		if r := []rune(s); n+len(r) > maxBodyRunes {
			s = string(r[:max(0, maxBodyRunes-n)])
		}
		n += len([]rune(s))
		body = append(body, strings.Join(Tokens(s), " "))
	}
	d.body = strings.Join(body, " ")
	return d
}
