package metadata

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
)

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,47}$`)

// Limits for string attributes.
const (
	DefaultStringLength = 200
	MaxStringLength     = 4000
	DefaultTextLength   = 1 << 20
)

// MaxAttributes is the most attributes an entity may have, counting the companion column of a
// money attribute (its currency) or a polymorphic lookup (its target's type) as one more. With
// the system columns it keeps a table well inside PostgreSQL's 1,600 columns (which also counts
// columns dropped since the table was last rewritten) and SQLite's 2,000.
const MaxAttributes = 1000

var reservedNames = map[string]bool{"tenant_id": true, "activity_type": true}

func isReserved(name string) bool {
	if reservedNames[name] {
		return true
	}
	for _, a := range SystemAttributes {
		if a.Name == name {
			return true
		}
	}
	return false
}

// PluralOf returns a simple English plural of an entity name, used as its default set name.
func PluralOf(name string) string {
	switch {
	case strings.HasSuffix(name, "s"), strings.HasSuffix(name, "x"), strings.HasSuffix(name, "ch"), strings.HasSuffix(name, "sh"):
		return name + "es"
	case strings.HasSuffix(name, "y") && len(name) > 1 && !strings.ContainsRune("aeiou", rune(name[len(name)-2])):
		return name[:len(name)-1] + "ies"
	}
	return name + "s"
}

// Normalize fills defaults in a definition: set name, display names, string lengths,
// primary name. It does not validate.
func (e *Entity) Normalize() {
	if e.SetName == "" {
		e.SetName = PluralOf(e.Name)
	}
	if e.DisplayName.EN == "" {
		e.DisplayName.EN = humanize(e.Name)
	}
	if e.PluralName.EN == "" {
		e.PluralName.EN = humanize(e.SetName)
	}
	if e.PluralName.ZH == "" {
		e.PluralName.ZH = e.DisplayName.ZH
	}
	for _, a := range e.Attributes {
		a.Normalize()
	}
	if e.PrimaryName == "" {
		for _, cand := range []string{"name", "full_name", "title", "subject"} {
			if a := findAttr(e.Attributes, cand); a != nil && a.IsText() {
				e.PrimaryName = cand
				break
			}
		}
	}
	if e.PrimaryName == "" {
		for _, a := range e.Attributes {
			if a.Type == TypeString || a.Type == TypeAutonumber {
				e.PrimaryName = a.Name
				break
			}
		}
	}
	e.index()
}

// Normalize fills an attribute's defaults.
func (a *Attribute) Normalize() {
	if a.DisplayName.EN == "" {
		a.DisplayName.EN = humanize(strings.TrimSuffix(a.Name, "_id"))
	}
	switch a.Type {
	case TypeString:
		if a.MaxLength == 0 {
			a.MaxLength = DefaultStringLength
		}
	case TypeEmail, TypeURL:
		if a.MaxLength == 0 {
			a.MaxLength = 320
		}
	case TypePhone:
		if a.MaxLength == 0 {
			a.MaxLength = 50
		}
	case TypeText:
		if a.MaxLength == 0 {
			a.MaxLength = DefaultTextLength
		}
	case TypeAutonumber:
		if a.Format == "" {
			a.Format = "{seq:6}"
		}
		a.MaxLength = 100
	}
}

func humanize(name string) string {
	s := strings.ReplaceAll(name, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func findAttr(attrs []*Attribute, name string) *Attribute {
	for _, a := range attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// ValidateEntity checks a normalized definition against the model it will join (which may
// already hold an older version of the same entity).
func ValidateEntity(m *Model, e *Entity) error {
	n := len(e.Attributes)
	for _, a := range e.Attributes {
		n += len(a.Companions())
	}
	if n > MaxAttributes { // before the checks below, whose cost grows with the square of n
		return fault.Field("attributes", "too_many_attributes", "an entity has at most %d attributes (money and polymorphic lookups count twice, for their companion column); this one would have %d", MaxAttributes, n)
	}
	var faults []*fault.Error
	add := func(target, code, format string, args ...any) {
		faults = append(faults, fault.Field(target, code, format, args...))
	}
	if !nameRE.MatchString(e.Name) {
		add("name", "invalid_name", "entity name %q must be snake_case: a lower-case letter, then letters, digits or _ (at most 48)", e.Name)
	}
	if !nameRE.MatchString(e.SetName) {
		add("set_name", "invalid_name", "set name %q must be snake_case", e.SetName)
	}
	if other := m.EntityBySet(e.SetName); other != nil && other.Name != e.Name {
		add("set_name", "duplicate_name", "set name %q is already used by entity %s", e.SetName, other.Name)
	}
	if other := m.Entity(e.SetName); other != nil && other.Name != e.Name {
		add("set_name", "duplicate_name", "set name %q is already an entity name", e.SetName)
	}
	if m.Relationship(e.Name) != nil {
		add("name", "duplicate_name", "%q is already the name of a relationship table", e.Name)
	}
	if e.Ownership != "" && e.Ownership != OwnershipUser && e.Ownership != OwnershipOrganization {
		add("ownership", "invalid_value", "ownership must be %q or %q", OwnershipUser, OwnershipOrganization)
	}
	seen := map[string]bool{}
	for i, a := range e.Attributes {
		target := fmt.Sprintf("attributes[%d]", i)
		if seen[a.Name] {
			add(target+".name", "duplicate_name", "attribute %q is defined twice", a.Name)
		}
		seen[a.Name] = true
		if a.Secured && a.Name == e.PrimaryName {
			add(target+".secured", "invalid_value", "the primary name %s cannot be under field-level security: records are shown and looked up by it", a.Name)
		}
		for _, c := range a.Companions() {
			seen[c.Name] = true
		}
		for _, f := range validateAttribute(m, e, a) {
			f.Target = target + "." + f.Target
			faults = append(faults, f)
		}
	}
	for _, a := range e.Attributes {
		for _, c := range a.Companions() {
			if x := findAttr(e.Attributes, c.Name); x != nil {
				add("attributes", "duplicate_name", "attribute %q clashes with the %s column of %s", c.Name, c.Name, a.Name)
			}
		}
	}
	if e.PrimaryName != "" {
		if a := findAttr(e.Attributes, e.PrimaryName); a == nil || !a.IsText() {
			add("primary_name", "invalid_primary_name", "primary name %q must be a text attribute of the entity", e.PrimaryName)
		}
	}
	for i, k := range e.AlternateKeys {
		target := fmt.Sprintf("alternate_keys[%d]", i)
		if !nameRE.MatchString(k.Name) {
			add(target+".name", "invalid_name", "key name %q must be snake_case", k.Name)
		}
		if len(k.Attributes) == 0 {
			add(target+".attributes", "required", "an alternate key needs at least one attribute")
		}
		for _, an := range k.Attributes {
			a := findAttr(e.Attributes, an)
			if a == nil {
				add(target+".attributes", "unknown_attribute", "key attribute %q is not an attribute of %s", an, e.Name)
				continue
			}
			switch a.Type {
			case TypeString, TypeInteger, TypeAutonumber, TypeEmail, TypePhone, TypeLookup, TypeDate, TypeChoice:
			default:
				add(target+".attributes", "invalid_key", "attribute %q of type %s cannot be part of a key", an, a.Type)
			}
		}
	}
	for _, u := range e.Union {
		if m.Entity(u) == nil {
			add("union", "unknown_entity", "union member %q is not an entity", u)
		}
	}
	return fault.Join(faults)
}

func validateAttribute(m *Model, e *Entity, a *Attribute) []*fault.Error {
	var faults []*fault.Error
	add := func(target, code, format string, args ...any) {
		faults = append(faults, fault.Field(target, code, format, args...))
	}
	if !nameRE.MatchString(a.Name) {
		add("name", "invalid_name", "attribute name %q must be snake_case: a lower-case letter, then letters, digits or _", a.Name)
	} else if isReserved(a.Name) {
		add("name", "reserved_name", "attribute name %q is reserved for a system column", a.Name)
	}
	known := false
	for _, t := range Types {
		if a.Type == t {
			known = true
		}
	}
	if !known {
		add("type", "invalid_type", "unknown attribute type %q (one of %s)", a.Type, typeList())
		return faults
	}
	if a.Type == TypeLookup {
		if !strings.HasSuffix(a.Name, "_id") {
			add("name", "invalid_name", "a lookup's name must end in _id (e.g. %s_id)", a.Name)
		}
		if a.Target == "" {
			add("target", "required", "a lookup needs a target entity")
		} else if a.Target != PolymorphicTarget && m.Entity(a.Target) == nil && a.Target != e.Name {
			add("target", "unknown_entity", "lookup target %q is not an entity", a.Target)
		}
		switch a.OnDelete {
		case "", OnDeleteSetNull, OnDeleteCascade, OnDeleteRestrict:
		default:
			add("on_delete", "invalid_value", "on_delete must be set_null, cascade or restrict")
		}
		if a.OnDelete == OnDeleteSetNull && a.Required {
			add("on_delete", "invalid_value", "a required lookup cannot be set to null when its target is deleted")
		}
		if a.ReverseName != "" && !nameRE.MatchString(a.ReverseName) {
			add("reverse_name", "invalid_name", "reverse name %q must be snake_case", a.ReverseName)
		}
	} else if a.Target != "" {
		add("target", "not_allowed", "only lookups have a target")
	}
	if a.Type == TypeChoice || a.Type == TypeMultiChoice {
		if len(a.Options) == 0 {
			add("options", "required", "a %s attribute needs at least one option", a.Type)
		}
		vals := map[string]bool{}
		for i, o := range a.Options {
			t := fmt.Sprintf("options[%d]", i)
			if o.Value == "" || strings.ContainsAny(o.Value, ",") || len(o.Value) > 100 {
				add(t+".value", "invalid_value", "option value %q must be 1–100 characters without commas", o.Value)
			}
			if vals[o.Value] {
				add(t+".value", "duplicate_name", "option value %q appears twice", o.Value)
			}
			vals[o.Value] = true
			if o.Label.EN == "" {
				add(t+".label", "required", "option %q needs an English label", o.Value)
			}
		}
	} else if len(a.Options) > 0 {
		add("options", "not_allowed", "only choice attributes have options")
	}
	if a.MaxLength < 0 || (a.IsText() && a.Type != TypeText && a.MaxLength > MaxStringLength) {
		add("max_length", "out_of_range", "max_length must be between 1 and %d", MaxStringLength)
	}
	if a.Min != nil || a.Max != nil {
		switch a.Type {
		case TypeInteger, TypeDecimal, TypeMoney:
		default:
			add("min", "not_allowed", "min and max apply to numeric attributes only")
		}
		if a.Min != nil && a.Max != nil {
			lo, _ := a.Min.Float64()
			hi, _ := a.Max.Float64()
			if lo > hi {
				add("min", "out_of_range", "min %s is greater than max %s", *a.Min, *a.Max)
			}
		}
	}
	if a.Scale != nil && (a.Type != TypeDecimal || *a.Scale < 0 || *a.Scale > 10) {
		add("scale", "out_of_range", "scale applies to decimal attributes and must be 0–10")
	}
	if a.Type == TypeAutonumber && !strings.Contains(a.Format, "{seq") {
		add("format", "invalid_format", "an autonumber format must contain {seq} or {seq:N}, e.g. CAS-{seq:6}")
	}
	if a.Unique && (a.Type == TypeText || a.Type == TypeJSON || a.Type == TypeMultiChoice) {
		add("unique", "not_allowed", "a %s attribute cannot be unique", a.Type)
	}
	if len(a.Default) > 0 {
		if err := checkDefault(a); err != nil {
			add("default", "invalid_default", "default %s: %v", string(a.Default), err)
		}
	}
	return faults
}

func checkDefault(a *Attribute) error {
	var v any
	if err := json.Unmarshal(a.Default, &v); err != nil {
		return err
	}
	switch a.Type {
	case TypeInteger, TypeDecimal, TypeMoney:
		if _, ok := v.(float64); !ok {
			return fmt.Errorf("must be a number")
		}
	case TypeBoolean:
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("must be true or false")
		}
	case TypeChoice:
		s, ok := v.(string)
		if !ok || a.Option(s) == nil {
			return fmt.Errorf("must be one of the option values")
		}
	case TypeDate:
		s, _ := v.(string)
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return fmt.Errorf("must be a date YYYY-MM-DD")
		}
	case TypeLookup, TypeAutonumber, TypeMultiChoice, TypeDateTime, TypeJSON:
		return fmt.Errorf("%s attributes take no default", a.Type)
	default:
		if _, ok := v.(string); !ok {
			return fmt.Errorf("must be a string")
		}
	}
	return nil
}

func typeList() string {
	s := make([]string, len(Types))
	for i, t := range Types {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// ValidateRelationship checks an N:N relationship definition.
func ValidateRelationship(m *Model, r *ManyToMany) error {
	var faults []*fault.Error
	add := func(target, code, format string, args ...any) {
		faults = append(faults, fault.Field(target, code, format, args...))
	}
	if !nameRE.MatchString(r.Name) {
		add("name", "invalid_name", "relationship name %q must be snake_case", r.Name)
	}
	if m.Entity(r.Name) != nil {
		add("name", "duplicate_name", "%q is already an entity name", r.Name)
	}
	e1, e2 := m.Entity(r.Entity1), m.Entity(r.Entity2)
	if e1 == nil {
		add("entity1", "unknown_entity", "entity %q does not exist", r.Entity1)
	}
	if e2 == nil {
		add("entity2", "unknown_entity", "entity %q does not exist", r.Entity2)
	}
	if r.Nav1 == "" || !nameRE.MatchString(r.Nav1) {
		add("nav1", "invalid_name", "nav1 %q must be snake_case", r.Nav1)
	}
	if r.Nav2 == "" || !nameRE.MatchString(r.Nav2) {
		add("nav2", "invalid_name", "nav2 %q must be snake_case", r.Nav2)
	}
	if e1 != nil && e2 != nil && len(faults) == 0 {
		if m.Nav(e1, r.Nav1) != nil || e1.Attr(r.Nav1) != nil {
			add("nav1", "duplicate_name", "%s already has a property %q", e1.Name, r.Nav1)
		}
		if m.Nav(e2, r.Nav2) != nil || e2.Attr(r.Nav2) != nil || (e1 == e2 && r.Nav1 == r.Nav2) {
			add("nav2", "duplicate_name", "%s already has a property %q", e2.Name, r.Nav2)
		}
	}
	return fault.Join(faults)
}

// ValidateNavigation checks that no navigation name of any entity collides with an attribute.
func ValidateNavigation(m *Model) error {
	if len(m.conflicts) > 0 {
		return fault.New(fault.Invalid, "duplicate_name", m.conflicts[0])
	}
	for _, e := range m.Entities() {
		for _, n := range m.Navs(e) {
			if a := e.Attr(n.Name); a != nil {
				return fault.Newf(fault.Invalid, "duplicate_name",
					"navigation %q of %s clashes with an attribute of the same name; set reverse_name on the lookup", n.Name, e.Name)
			}
		}
	}
	return nil
}
