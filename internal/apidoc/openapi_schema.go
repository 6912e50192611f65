package apidoc

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// addEntitySchemas adds the schemas of one entity: the record as read (<name>), the page of
// records (<name>_collection) and, for writable entities, the create and update bodies
// (<name>_create, <name>_update), which leave out the columns the service sets.
func addEntitySchemas(schemas object, m *metadata.Model, e *metadata.Entity) {
	props := object{"@odata.etag": object{"type": "string", "readOnly": true,
		"description": "Version tag of the record; send it in If-Match."}}
	write := object{}
	var required []string
	for _, a := range e.Columns() {
		props[a.Name] = attributeSchema(a, nonNull(a), computed(a))
		if computed(a) || e.ReadOnly() {
			continue
		}
		write[a.Name] = attributeSchema(a, a.Required, false)
		if a.Required && len(a.Default) == 0 {
			required = append(required, a.Name)
		}
	}
	for _, n := range m.Navs(e) {
		props[n.Name] = navSchema(n)
	}
	schemas[e.Name] = titled(e, objectSchema(props), "")
	schemas[e.Name+"_collection"] = titled(e, objectSchema(object{
		"@odata.context": object{"type": "string"},
		"@odata.count": object{"type": "integer", "format": "int64",
			"description": "Number of matching records (with $count=true)."},
		"@odata.nextLink": object{"type": "string", "format": "uri-reference",
			"description": "URL of the next page; absent on the last page."},
		"@odata.deltaLink": object{"type": "string", "format": "uri-reference",
			"description": "URL that returns the changes since this response (with Prefer: odata.track-changes)."},
		"value": arrayOf(schemaRef(e.Name)),
	}, "value"), " (page)")
	if e.ReadOnly() {
		return
	}
	schemas[e.Name+"_create"] = titled(e, objectSchema(write, required...), " (create)")
	schemas[e.Name+"_update"] = titled(e, objectSchema(write), " (update)")
}

// titled sets the English title, the Chinese display name and the description of an entity
// schema.
func titled(e *metadata.Entity, s object, suffix string) object {
	s["title"] = e.DisplayName.EN + suffix
	if e.DisplayName.ZH != "" {
		s["x-display-name-zh"] = e.DisplayName.ZH
	}
	if e.Description != "" {
		s["description"] = e.Description
	}
	s["x-entity-set"] = e.SetName
	return s
}

// attributeSchema is the schema of one column. Columns that may be null allow null in their
// type, as JSON Schema 2020-12 (OpenAPI 3.1) writes it.
func attributeSchema(a *metadata.Attribute, notNull, readOnly bool) object {
	s := valueSchema(a)
	if !notNull {
		allowNull(s)
	}
	if a.DisplayName.EN != "" {
		s["title"] = a.DisplayName.EN
	}
	if a.DisplayName.ZH != "" {
		s["x-display-name-zh"] = a.DisplayName.ZH
	}
	if d := describe(a); d != "" {
		s["description"] = d
	}
	if readOnly {
		s["readOnly"] = true
	}
	if len(a.Default) > 0 && json.Valid(a.Default) {
		s["default"] = a.Default
	}
	return s
}

// valueSchema is the schema of a non-null value of the attribute's type.
func valueSchema(a *metadata.Attribute) object {
	s := object{"type": "string"}
	switch a.Type {
	case metadata.TypeEmail:
		s["format"] = "email"
	case metadata.TypeURL:
		s["format"] = "uri"
	case metadata.TypeChoice:
		enumOf(s, a.Options)
	case metadata.TypeMultiChoice:
		items := object{"type": "string"}
		enumOf(items, a.Options)
		return object{"type": "array", "items": items, "uniqueItems": true}
	case metadata.TypeInteger:
		s = object{"type": "integer", "format": "int64"}
		bounds(s, a)
	case metadata.TypeDecimal, metadata.TypeMoney:
		s = object{"type": "number", "x-scale": a.DecimalScale(), "x-precision": decimalPrecision}
		bounds(s, a)
	case metadata.TypeBoolean:
		s["type"] = "boolean"
	case metadata.TypeDate:
		s["format"] = "date"
	case metadata.TypeDateTime:
		s["format"] = "date-time"
	case metadata.TypeLookup, metadata.TypeGUID:
		s["format"] = "uuid"
		if a.Type == metadata.TypeLookup {
			s["x-target"] = a.Target
		}
	case metadata.TypeJSON:
		return object{} // any JSON value
	case metadata.TypeAutonumber:
		s["x-autonumber-format"] = a.Format
	}
	// Text has no length facet in CSDL either, unless the definition chose a limit.
	if a.MaxLength > 0 && s["type"] == "string" && (a.Type != metadata.TypeText || a.MaxLength != metadata.DefaultTextLength) {
		s["maxLength"] = a.MaxLength
	}
	return s
}

// enumOf restricts a string schema to the option values and lists their labels in the
// x-enum-descriptions extensions (English and Chinese), in option order.
func enumOf(s object, opts []metadata.Option) {
	values := make([]any, len(opts))
	en := make([]any, len(opts))
	zh := make([]any, len(opts))
	for i, o := range opts {
		values[i], en[i], zh[i] = o.Value, o.Label.EN, o.Label.In("zh")
	}
	s["enum"] = values
	s["x-enum-descriptions"] = en
	s["x-enum-descriptions-zh"] = zh
}

func bounds(s object, a *metadata.Attribute) {
	if a.Min != nil && validNumber(*a.Min) {
		s["minimum"] = *a.Min
	}
	if a.Max != nil && validNumber(*a.Max) {
		s["maximum"] = *a.Max
	}
}

// allowNull widens a schema to accept null: "string" becomes ["string", "null"] and an enum
// gains null, which JSON Schema requires for a null value to validate.
func allowNull(s object) {
	if t, ok := s["type"].(string); ok {
		s["type"] = []any{t, "null"}
	}
	if e, ok := s["enum"].([]any); ok {
		s["enum"] = append(e, nil)
	}
}

// describe explains what the type alone does not say: the target of a lookup, the currency
// column of money and the service-assigned values.
func describe(a *metadata.Attribute) string {
	var parts []string
	if a.Description != "" {
		parts = append(parts, a.Description)
	}
	switch {
	case a.Polymorphic():
		parts = append(parts, fmt.Sprintf("Id of a record of any entity; the entity name is in %s_type.", a.NavName()))
	case a.Type == metadata.TypeLookup:
		parts = append(parts, fmt.Sprintf("Id of the related %s record (navigation property %s).", a.Target, a.NavName()))
	case a.Type == metadata.TypeMoney:
		parts = append(parts, fmt.Sprintf("Amount with %d decimal places; the ISO 4217 currency code is in %s_currency.",
			metadata.MoneyScale, a.Name))
	case a.Type == metadata.TypeDecimal:
		parts = append(parts, fmt.Sprintf("Decimal with %d decimal places.", a.DecimalScale()))
	case a.Type == metadata.TypeAutonumber:
		parts = append(parts, fmt.Sprintf("Assigned by the service from the format %s.", a.Format))
	case a.Type == metadata.TypeJSON:
		parts = append(parts, "Any JSON value.")
	case a.Of != "" && a.Name == a.Of+"_currency":
		parts = append(parts, fmt.Sprintf("ISO 4217 currency code of %s.", a.Of))
	case a.Of != "":
		parts = append(parts, fmt.Sprintf("Entity name of the record %s points to.", a.Of))
	}
	return strings.Join(parts, " ")
}

// navSchema is a navigation property as returned with $expand.
func navSchema(n *metadata.Nav) object {
	desc := fmt.Sprintf("Related %s records, returned with $expand=%s.", n.To.Name, n.Name)
	if !n.Collection() {
		return object{"anyOf": []any{schemaRef(n.To.Name), object{"type": "null"}}, "readOnly": true,
			"description": fmt.Sprintf("The related %s record, returned with $expand=%s.", n.To.Name, n.Name)}
	}
	return object{"type": "array", "items": schemaRef(n.To.Name), "readOnly": true, "description": desc}
}
