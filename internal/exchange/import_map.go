package exchange

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
)

// Mapping is an import mapping file: which attribute each column fills, values for attributes
// the file lacks, and per-attribute translations of choice values.
//
//	columns:
//	  "Account Name": name
//	  "Billing City": city
//	  "Legacy ID": "-"          # ignore this column
//	defaults:
//	  country: China
//	choices:
//	  industry:
//	    "Hi-Tech": technology
type Mapping struct {
	Columns  map[string]string            `yaml:"columns,omitempty" json:"columns,omitempty"`
	Defaults map[string]string            `yaml:"defaults,omitempty" json:"defaults,omitempty"`
	Choices  map[string]map[string]string `yaml:"choices,omitempty" json:"choices,omitempty"`
}

// ParseMapping reads a mapping file (YAML; JSON is YAML too). Unknown keys are errors, so a typo
// does not silently drop a section.
func ParseMapping(data []byte) (*Mapping, error) {
	var raw struct {
		Columns  map[string]string            `yaml:"columns"`
		Defaults map[string]any               `yaml:"defaults"`
		Choices  map[string]map[string]string `yaml:"choices"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil && !errors.Is(err, io.EOF) {
		return nil, fault.Newf(fault.Invalid, "invalid_mapping", "the mapping file is not valid: %v", err)
	}
	m := &Mapping{Columns: raw.Columns, Choices: raw.Choices}
	if len(raw.Defaults) > 0 {
		m.Defaults = map[string]string{}
		for k, v := range raw.Defaults {
			m.Defaults[k] = fmt.Sprint(v)
		}
	}
	return m, nil
}

// ignoredSystem are system columns an export writes and an import ignores: the server sets them.
var ignoredSystem = map[string]bool{"version": true, "created_at": true, "modified_at": true, "created_by": true, "modified_by": true}

// errorColumns are the columns an error file adds; importing a corrected error file ignores them.
var errorColumns = map[string]bool{"_line": true, "_column": true, "_code": true, "_error": true}

// column is one mapped column of the file.
type column struct {
	index  int    // cell index
	header string // as written in the file
	attr   *metadata.Attribute
}

// plan is how the rows of one file become records of one entity.
type plan struct {
	model    *metadata.Model
	entity   *metadata.Entity
	header   []string
	cols     []column
	named    []string                     // per header: the attribute it names, used or ignored ("" for none)
	byAttr   map[string]int               // attribute → position in cols
	keys     [][]string                   // key attribute sets checked for duplicates (in the file and, when creating, in the database)
	upsert   []string                     // the upsert key, or nil to create
	defaults map[string]string            // attribute → raw default (created records only)
	choices  map[string]map[string]string // attribute → lower-case file value → option value
	warnings []string
	date1904 bool
}

// attrIndex finds attributes by logical name and EN/ZH display name, case-insensitively.
type attrIndex struct {
	exact map[string]*metadata.Attribute
	lower map[string][]*metadata.Attribute
}

func newAttrIndex(e *metadata.Entity) *attrIndex {
	ix := &attrIndex{exact: map[string]*metadata.Attribute{}, lower: map[string][]*metadata.Attribute{}}
	add := func(k string, a *metadata.Attribute) {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			return
		}
		for _, x := range ix.lower[k] {
			if x == a {
				return
			}
		}
		ix.lower[k] = append(ix.lower[k], a)
	}
	for _, a := range e.Columns() {
		ix.exact[a.Name] = a
	}
	// Logical names first, then English, then Chinese display names: a header that is one
	// attribute's name and another's display name means the named one.
	for _, pass := range []func(a *metadata.Attribute) string{
		func(a *metadata.Attribute) string { return a.Name },
		func(a *metadata.Attribute) string { return a.DisplayName.EN },
		func(a *metadata.Attribute) string { return a.DisplayName.ZH },
	} {
		for _, a := range e.Columns() {
			add(pass(a), a)
		}
	}
	return ix
}

// find resolves a header; it returns nil (and whether the header was ambiguous) when it cannot.
func (ix *attrIndex) find(h string) (*metadata.Attribute, bool) {
	if a := ix.exact[h]; a != nil {
		return a, false
	}
	k := strings.ToLower(strings.TrimSpace(h))
	cands := ix.lower[k]
	if len(cands) == 0 {
		cands = ix.lower[strings.NewReplacer(" ", "_", "-", "_").Replace(k)]
	}
	switch len(cands) {
	case 0:
		return nil, false
	case 1:
		return cands[0], false
	}
	// Prefer a defined attribute over a system or companion column of the same label.
	var defined []*metadata.Attribute
	for _, a := range cands {
		if !a.System {
			defined = append(defined, a)
		}
	}
	if len(defined) == 1 {
		return defined[0], false
	}
	return nil, true
}

// buildPlan maps the header of a file to the attributes of e. upsert is the upsert key (nil to
// create). Problems that would fail every row are errors; columns that cannot be used are
// warnings.
func buildPlan(m *metadata.Model, e *metadata.Entity, header []string, mp *Mapping, upsert []string) (*plan, error) {
	p := &plan{model: m, entity: e, header: header, byAttr: map[string]int{}, upsert: upsert,
		defaults: map[string]string{}, choices: map[string]map[string]string{}, named: make([]string, len(header))}
	if mp == nil {
		mp = &Mapping{}
	}
	ix := newAttrIndex(e)
	attrOf := func(name, what string) (*metadata.Attribute, error) {
		a := e.Attr(name)
		if a == nil {
			if b, _ := ix.find(name); b != nil {
				return b, nil
			}
			return nil, fault.Field(name, "invalid_mapping", "the mapping file's %s names %s, which is not an attribute of %s", what, name, e.Name)
		}
		return a, nil
	}
	mapped := map[string]string{} // lower-case header → target
	for h, target := range mp.Columns {
		mapped[strings.ToLower(strings.TrimSpace(h))] = strings.TrimSpace(target)
	}
	var unmapped, system, ambiguous []string
	last := len(header) - 1
	for last >= 0 && strings.TrimSpace(header[last]) == "" {
		last--
	}
	for i, raw := range header {
		h := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(raw), "*"))
		if h == "" {
			if i < last {
				p.warnings = append(p.warnings, fmt.Sprintf("column %d has no header and is ignored", i+1))
			}
			continue
		}
		var a *metadata.Attribute
		if target, ok := mapped[strings.ToLower(h)]; ok {
			if target == "" || target == "-" {
				continue
			}
			var err error
			if a, err = attrOf(target, "columns"); err != nil {
				return nil, err
			}
		} else if errorColumns[h] {
			continue
		} else {
			var amb bool
			if a, amb = ix.find(h); a == nil {
				if amb {
					ambiguous = append(ambiguous, h)
				} else {
					unmapped = append(unmapped, h)
				}
				continue
			}
		}
		p.named[i] = a.Name
		switch {
		case ignoredSystem[a.Name]:
			system = append(system, h)
			continue
		case a.Type == metadata.TypeAutonumber && !contains(upsert, a.Name):
			p.warnings = append(p.warnings, fmt.Sprintf("column %s is ignored: %s is numbered by the server", h, a.Name))
			continue
		}
		if j, dup := p.byAttr[a.Name]; dup {
			p.warnings = append(p.warnings, fmt.Sprintf("column %s is ignored: column %s already fills %s", h, p.cols[j].header, a.Name))
			continue
		}
		p.byAttr[a.Name] = len(p.cols)
		p.cols = append(p.cols, column{index: i, header: raw, attr: a})
	}
	if len(unmapped) > 0 {
		p.warnings = append(p.warnings, "unmapped columns (ignored): "+strings.Join(unmapped, ", "))
	}
	if len(ambiguous) > 0 {
		p.warnings = append(p.warnings, "columns matching several attributes (ignored; map them in a mapping file): "+strings.Join(ambiguous, ", "))
	}
	if len(system) > 0 {
		p.warnings = append(p.warnings, "system columns set by the server (ignored): "+strings.Join(system, ", "))
	}
	for name, v := range mp.Defaults {
		a, err := attrOf(name, "defaults")
		if err != nil {
			return nil, err
		}
		p.defaults[a.Name] = v
	}
	for name, vals := range mp.Choices {
		a, err := attrOf(name, "choices")
		if err != nil {
			return nil, err
		}
		if a.Type != metadata.TypeChoice && a.Type != metadata.TypeMultiChoice {
			return nil, fault.Field(name, "invalid_mapping", "the mapping file's choices name %s, which is not a choice attribute", name)
		}
		m := map[string]string{}
		for from, to := range vals {
			m[strings.ToLower(strings.TrimSpace(from))] = to
		}
		p.choices[a.Name] = m
	}
	if len(p.cols) == 0 {
		return nil, fault.Newf(fault.Invalid, "no_columns", "no column of the file matches an attribute of %s (by name or English/Chinese display name); use a mapping file", e.Name)
	}
	if err := p.checkKeys(); err != nil {
		return nil, err
	}
	return p, nil
}

// checkKeys validates the upsert key, lists the keys checked for duplicates, and makes sure the
// file can fill every required attribute of a new record.
func (p *plan) checkKeys() error {
	e := p.entity
	if len(p.upsert) > 0 {
		if !validUpsertKey(e, p.upsert) {
			return fault.Field("upsert_key", "invalid_key", "%s is not a key of %s: use id, a unique attribute or an alternate key (%s)",
				strings.Join(p.upsert, ","), e.Name, strings.Join(keyNames(e), "; "))
		}
		for _, k := range p.upsert {
			if _, ok := p.byAttr[k]; !ok {
				return fault.Field("upsert_key", "missing_column", "no column of the file fills the upsert key %s", k)
			}
		}
	}
	seen := map[string]bool{}
	addKey := func(k []string) {
		for _, name := range k {
			if _, ok := p.byAttr[name]; !ok {
				return
			}
			if a := e.Attr(name); a.Type == metadata.TypeAutonumber && !contains(p.upsert, name) {
				return
			}
		}
		id := strings.Join(k, ",")
		if !seen[id] {
			seen[id] = true
			p.keys = append(p.keys, k)
		}
	}
	if len(p.upsert) > 0 {
		addKey(p.upsert)
	}
	addKey([]string{"id"})
	for _, k := range e.AlternateKeys {
		addKey(k.Attributes)
	}
	for _, a := range e.Attributes {
		if a.Unique {
			addKey([]string{a.Name})
		}
	}
	var missing []string
	for _, a := range e.Attributes {
		if !a.Required || a.Type == metadata.TypeAutonumber || len(a.Default) > 0 {
			continue
		}
		if _, ok := p.byAttr[a.Name]; ok {
			continue
		}
		if _, ok := p.defaults[a.Name]; ok {
			continue
		}
		missing = append(missing, fmt.Sprintf("%s (%s / %s)", a.Name, a.DisplayName.EN, a.DisplayName.ZH))
	}
	if len(missing) > 0 {
		if len(p.upsert) == 0 {
			return fault.Newf(fault.Invalid, "missing_column", "no column fills the required %s; add the column, map it in a mapping file or give it a default",
				strings.Join(missing, ", "))
		}
		p.warnings = append(p.warnings, "no column fills the required "+strings.Join(missing, ", ")+": rows that create a record will fail")
	}
	return nil
}

// validUpsertKey reports whether key is id, a unique attribute or an alternate key of e.
func validUpsertKey(e *metadata.Entity, key []string) bool {
	if len(key) == 1 {
		if key[0] == "id" {
			return true
		}
		if a := e.Attr(key[0]); a != nil && a.Unique && !a.System {
			return true
		}
	}
	for _, k := range e.AlternateKeys {
		if sameSet(k.Attributes, key) {
			return true
		}
	}
	return false
}

func keyNames(e *metadata.Entity) []string {
	out := []string{"id"}
	for _, k := range e.AlternateKeys {
		out = append(out, strings.Join(k.Attributes, ","))
	}
	for _, a := range e.Attributes {
		if a.Unique {
			out = append(out, a.Name)
		}
	}
	return out
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	x, y := append([]string(nil), a...), append([]string(nil), b...)
	sort.Strings(x)
	sort.Strings(y)
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// headerOf returns the file's header for attribute name (the name itself when no column fills it).
func (p *plan) headerOf(name string) string {
	if j, ok := p.byAttr[name]; ok {
		return p.cols[j].header
	}
	if a := p.entity.Attr(name); a != nil && a.Of != "" {
		if j, ok := p.byAttr[a.Of]; ok {
			return p.cols[j].header
		}
	}
	return name
}
