package apidoc

import (
	"encoding/json"
	"encoding/xml"
	"strings"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// The element types below mirror the subset of CSDL XML (OData v4.0, part 3) that the document
// uses. encoding/xml writes slices in order, so the output order is the construction order.

// Namespaces of the EDMX wrapper and of the CSDL schema.
const (
	edmxNS = "http://docs.oasis-open.org/odata/ns/edmx"
	edmNS  = "http://docs.oasis-open.org/odata/ns/edm"
)

type edmx struct {
	XMLName      xml.Name     `xml:"edmx:Edmx"`
	XMLNS        string       `xml:"xmlns:edmx,attr"`
	Version      string       `xml:"Version,attr"`
	References   []reference  `xml:"edmx:Reference"`
	DataServices dataServices `xml:"edmx:DataServices"`
}

type reference struct {
	URI     string  `xml:"Uri,attr"`
	Include include `xml:"edmx:Include"`
}

type include struct {
	Namespace string `xml:"Namespace,attr"`
	Alias     string `xml:"Alias,attr"`
}

type dataServices struct {
	Schema schema
}

type schema struct {
	XMLName     xml.Name     `xml:"http://docs.oasis-open.org/odata/ns/edm Schema"`
	Namespace   string       `xml:"Namespace,attr"`
	EntityTypes []entityType `xml:"EntityType"`
	Container   container    `xml:"EntityContainer"`
}

type entityType struct {
	Name        string        `xml:"Name,attr"`
	Key         []propertyRef `xml:"Key>PropertyRef"`
	Properties  []property    `xml:"Property"`
	Navs        []navProperty `xml:"NavigationProperty"`
	Annotations []annotation  `xml:"Annotation"`
}

type propertyRef struct {
	Name string `xml:"Name,attr"`
}

type property struct {
	Name        string       `xml:"Name,attr"`
	Type        string       `xml:"Type,attr"`
	Nullable    string       `xml:"Nullable,attr,omitempty"`
	MaxLength   int          `xml:"MaxLength,attr,omitempty"`
	Precision   int          `xml:"Precision,attr,omitempty"`
	Scale       string       `xml:"Scale,attr,omitempty"` // a string: a scale of 0 must still be written
	Annotations []annotation `xml:"Annotation"`
}

type navProperty struct {
	Name        string          `xml:"Name,attr"`
	Type        string          `xml:"Type,attr"`
	Nullable    string          `xml:"Nullable,attr,omitempty"`
	Partner     string          `xml:"Partner,attr,omitempty"`
	Constraints []refConstraint `xml:"ReferentialConstraint"`
	Annotations []annotation    `xml:"Annotation"`
}

type refConstraint struct {
	Property           string `xml:"Property,attr"`
	ReferencedProperty string `xml:"ReferencedProperty,attr"`
}

type container struct {
	Name string      `xml:"Name,attr"`
	Sets []entitySet `xml:"EntitySet"`
}

type entitySet struct {
	Name        string       `xml:"Name,attr"`
	EntityType  string       `xml:"EntityType,attr"`
	Bindings    []navBinding `xml:"NavigationPropertyBinding"`
	Annotations []annotation `xml:"Annotation"`
}

type navBinding struct {
	Path   string `xml:"Path,attr"`
	Target string `xml:"Target,attr"`
}

// annotation applies a vocabulary term; the value is one of the constant attributes or a
// record or collection expression.
type annotation struct {
	Term       string      `xml:"Term,attr"`
	Qualifier  string      `xml:"Qualifier,attr,omitempty"`
	String     string      `xml:"String,attr,omitempty"`
	Bool       string      `xml:"Bool,attr,omitempty"`
	Int        string      `xml:"Int,attr,omitempty"`
	Decimal    string      `xml:"Decimal,attr,omitempty"`
	Record     *record     `xml:"Record"`
	Collection *collection `xml:"Collection"`
}

type record struct {
	Values      []propertyValue `xml:"PropertyValue"`
	Annotations []annotation    `xml:"Annotation"`
}

type propertyValue struct {
	Property     string      `xml:"Property,attr"`
	String       string      `xml:"String,attr,omitempty"`
	Bool         string      `xml:"Bool,attr,omitempty"`
	PropertyPath string      `xml:"PropertyPath,attr,omitempty"`
	Collection   *collection `xml:"Collection"`
}

type collection struct {
	Records       []record `xml:"Record"`
	PropertyPaths []string `xml:"PropertyPath"`
}

// vocabularies are the standard OData vocabularies the annotations use.
var vocabularies = []reference{
	vocabulary("Core"),
	vocabulary("Validation"),
	vocabulary("Capabilities"),
}

func vocabulary(alias string) reference {
	return reference{
		URI:     "https://oasis-tcs.github.io/odata-vocabularies/vocabularies/Org.OData." + alias + ".V1.xml",
		Include: include{Namespace: "Org.OData." + alias + ".V1", Alias: alias},
	}
}

// labelAnnotations describes a display name: Core.Description in English and, qualified "zh",
// in Simplified Chinese; a longer description goes to Core.LongDescription.
func labelAnnotations(l metadata.Label, description string) []annotation {
	var out []annotation
	if l.EN != "" {
		out = append(out, annotation{Term: "Core.Description", String: l.EN})
	}
	if l.ZH != "" {
		out = append(out, annotation{Term: "Core.Description", Qualifier: "zh", String: l.ZH})
	}
	if description != "" {
		out = append(out, annotation{Term: "Core.LongDescription", String: description})
	}
	return out
}

// allowedValues lists the options of a choice attribute with their English labels.
func allowedValues(opts []metadata.Option) annotation {
	c := &collection{}
	for _, o := range opts {
		r := record{Values: []propertyValue{{Property: "Value", String: o.Value}}}
		if o.Label.EN != "" {
			r.Annotations = []annotation{{Term: "Core.Description", String: o.Label.EN}}
		}
		c.Records = append(c.Records, r)
	}
	return annotation{Term: "Validation.AllowedValues", Collection: c}
}

// bound returns a Validation.Minimum or Validation.Maximum annotation, or false when the bound
// is not a number.
func bound(term string, n *json.Number, integer bool) (annotation, bool) {
	if n == nil || !validNumber(*n) {
		return annotation{}, false
	}
	s := n.String()
	if integer && !strings.ContainsAny(s, ".eE") {
		return annotation{Term: term, Int: s}, true
	}
	return annotation{Term: term, Decimal: s}, true
}

// restriction returns a Capabilities annotation that switches one capability off, such as
// Capabilities.InsertRestrictions with Insertable=false.
func restriction(term, property string) annotation {
	return annotation{Term: term, Record: &record{Values: []propertyValue{{Property: property, Bool: "false"}}}}
}

// alternateKeys describes the alternate keys of an entity with Core.AlternateKeys.
func alternateKeys(keys []metadata.AlternateKey) annotation {
	c := &collection{}
	for _, k := range keys {
		parts := &collection{}
		for _, a := range k.Attributes {
			parts.Records = append(parts.Records, record{Values: []propertyValue{
				{Property: "Name", PropertyPath: a},
				{Property: "Alias", String: a},
			}})
		}
		c.Records = append(c.Records, record{Values: []propertyValue{{Property: "Key", Collection: parts}}})
	}
	return annotation{Term: "Core.AlternateKeys", Collection: c}
}

// validNumber reports whether n is a JSON number literal, so it can be written as one.
func validNumber(n json.Number) bool {
	var v any
	if err := json.Unmarshal([]byte(n), &v); err != nil {
		return false
	}
	_, ok := v.(float64)
	return ok
}
