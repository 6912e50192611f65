package apidoc

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// The x* types decode the CSDL independently of the types that write it, and insist on the
// EDMX and EDM namespaces.
type xEdmx struct {
	XMLName      xml.Name `xml:"http://docs.oasis-open.org/odata/ns/edmx Edmx"`
	Version      string   `xml:"Version,attr"`
	DataServices struct {
		Schemas []xSchema `xml:"http://docs.oasis-open.org/odata/ns/edm Schema"`
	} `xml:"http://docs.oasis-open.org/odata/ns/edmx DataServices"`
}

type xSchema struct {
	Namespace   string        `xml:"Namespace,attr"`
	EntityTypes []xEntityType `xml:"EntityType"`
	Container   struct {
		Name string `xml:"Name,attr"`
		Sets []xSet `xml:"EntitySet"`
	} `xml:"EntityContainer"`
}

type xEntityType struct {
	Name        string        `xml:"Name,attr"`
	Key         []xName       `xml:"Key>PropertyRef"`
	Properties  []xProperty   `xml:"Property"`
	Navs        []xNav        `xml:"NavigationProperty"`
	Annotations []xAnnotation `xml:"Annotation"`
}

type xName struct {
	Name string `xml:"Name,attr"`
}

type xProperty struct {
	Name        string        `xml:"Name,attr"`
	Type        string        `xml:"Type,attr"`
	Nullable    string        `xml:"Nullable,attr"`
	MaxLength   string        `xml:"MaxLength,attr"`
	Precision   string        `xml:"Precision,attr"`
	Scale       string        `xml:"Scale,attr"`
	Annotations []xAnnotation `xml:"Annotation"`
}

type xNav struct {
	Name        string `xml:"Name,attr"`
	Type        string `xml:"Type,attr"`
	Nullable    string `xml:"Nullable,attr"`
	Partner     string `xml:"Partner,attr"`
	Constraints []struct {
		Property           string `xml:"Property,attr"`
		ReferencedProperty string `xml:"ReferencedProperty,attr"`
	} `xml:"ReferentialConstraint"`
}

type xSet struct {
	Name       string `xml:"Name,attr"`
	EntityType string `xml:"EntityType,attr"`
	Bindings   []struct {
		Path   string `xml:"Path,attr"`
		Target string `xml:"Target,attr"`
	} `xml:"NavigationPropertyBinding"`
	Annotations []xAnnotation `xml:"Annotation"`
}

type xAnnotation struct {
	Term       string `xml:"Term,attr"`
	Qualifier  string `xml:"Qualifier,attr"`
	String     string `xml:"String,attr"`
	Int        string `xml:"Int,attr"`
	Record     *xRecord
	Collection *struct {
		Records []xRecord `xml:"Record"`
		Paths   []string  `xml:"PropertyPath"`
	}
}

type xRecord struct {
	Values []struct {
		Property string `xml:"Property,attr"`
		String   string `xml:"String,attr"`
		Bool     string `xml:"Bool,attr"`
	} `xml:"PropertyValue"`
}

func parseCSDL(t *testing.T, doc []byte) xSchema {
	t.Helper()
	if !bytes.HasPrefix(doc, []byte("<?xml")) {
		t.Fatalf("CSDL does not start with an XML declaration: %.40q", doc)
	}
	var d xEdmx
	if err := xml.Unmarshal(doc, &d); err != nil {
		t.Fatalf("CSDL is not well-formed: %v", err)
	}
	if d.Version != "4.0" || len(d.DataServices.Schemas) != 1 {
		t.Fatalf("want one schema in EDMX 4.0, got version %q and %d schemas", d.Version, len(d.DataServices.Schemas))
	}
	s := d.DataServices.Schemas[0]
	if s.Namespace != "Meridian" || s.Container.Name != "Default" {
		t.Fatalf("namespace %q, container %q", s.Namespace, s.Container.Name)
	}
	return s
}

func (s xSchema) entityType(t *testing.T, name string) xEntityType {
	t.Helper()
	for _, et := range s.EntityTypes {
		if et.Name == name {
			return et
		}
	}
	t.Fatalf("no entity type %s", name)
	return xEntityType{}
}

func (s xSchema) set(t *testing.T, name string) xSet {
	t.Helper()
	for _, es := range s.Container.Sets {
		if es.Name == name {
			return es
		}
	}
	t.Fatalf("no entity set %s", name)
	return xSet{}
}

func (et xEntityType) property(t *testing.T, name string) xProperty {
	t.Helper()
	for _, p := range et.Properties {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("%s has no property %s", et.Name, name)
	return xProperty{}
}

func (et xEntityType) nav(name string) *xNav {
	for i := range et.Navs {
		if et.Navs[i].Name == name {
			return &et.Navs[i]
		}
	}
	return nil
}

func annotationOf(as []xAnnotation, term, qualifier string) *xAnnotation {
	for i := range as {
		if as[i].Term == term && as[i].Qualifier == qualifier {
			return &as[i]
		}
	}
	return nil
}

func TestCSDLProperties(t *testing.T) {
	s := parseCSDL(t, CSDL(testModel(t)))
	cases := []struct {
		entity, prop, typ, nullable, maxLength, precision, scale string
	}{
		{"account", "id", "Edm.Guid", "false", "", "", ""},
		{"account", "version", "Edm.Int64", "false", "", "", ""},
		{"account", "created_at", "Edm.DateTimeOffset", "false", "", "", ""},
		{"account", "owner_id", "Edm.Guid", "", "", "", ""},
		{"account", "name", "Edm.String", "false", "160", "", ""},
		{"account", "description", "Edm.String", "", "", "", ""}, // text: no MaxLength
		{"account", "revenue", "Edm.Decimal", "", "", "28", "4"},
		{"account", "revenue_currency", "Edm.String", "", "3", "", ""},
		{"account", "primary_contact_id", "Edm.Guid", "", "", "", ""},
		{"activity", "regarding_type", "Edm.String", "", "64", "", ""},
		{"project", "account_id", "Edm.Guid", "false", "", "", ""},
		{"project", "phase", "Edm.String", "false", "", "", ""},
		{"project", "hours", "Edm.Decimal", "", "", "28", "2"},
		{"project", "priority", "Edm.Int64", "", "", "", ""},
		{"project", "tags", "Collection(Edm.String)", "false", "", "", ""},
		{"project", "settings", "Edm.String", "", "", "", ""},
		{"project", "starts_on", "Edm.Date", "", "", "", ""},
		{"project", "is_billable", "Edm.Boolean", "false", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.entity+"."+c.prop, func(t *testing.T) {
			p := s.entityType(t, c.entity).property(t, c.prop)
			got := []string{p.Type, p.Nullable, p.MaxLength, p.Precision, p.Scale}
			want := []string{c.typ, c.nullable, c.maxLength, c.precision, c.scale}
			if strings.Join(got, "|") != strings.Join(want, "|") {
				t.Errorf("type|nullable|maxLength|precision|scale = %q, want %q", got, want)
			}
		})
	}
	for _, name := range []string{"account", "project"} {
		if k := s.entityType(t, name).Key; len(k) != 1 || k[0].Name != "id" {
			t.Errorf("%s key = %+v, want id", name, k)
		}
	}
}

func TestCSDLAnnotations(t *testing.T) {
	s := parseCSDL(t, CSDL(testModel(t)))
	project := s.entityType(t, "project")

	av := annotationOf(project.property(t, "phase").Annotations, "Validation.AllowedValues", "")
	if av == nil || av.Collection == nil {
		t.Fatal("project.phase has no Validation.AllowedValues")
	}
	var values []string
	for _, r := range av.Collection.Records {
		values = append(values, r.Values[0].String)
	}
	if strings.Join(values, ",") != "plan,build" {
		t.Errorf("phase allowed values = %v", values)
	}
	prio := project.property(t, "priority").Annotations
	if lo, hi := annotationOf(prio, "Validation.Minimum", ""), annotationOf(prio, "Validation.Maximum", ""); lo == nil ||
		lo.Int != "1" || hi == nil || hi.Int != "5" {
		t.Errorf("priority bounds: %+v %+v", lo, hi)
	}
	if a := annotationOf(project.Annotations, "Core.Description", ""); a == nil || a.String != "Project" {
		t.Errorf("project label: %+v", a)
	}
	if a := annotationOf(project.Annotations, "Core.Description", "zh"); a == nil || a.String != "项目" {
		t.Errorf("project Chinese label: %+v", a)
	}
	if a := annotationOf(project.property(t, "version").Annotations, "Core.Computed", ""); a == nil {
		t.Error("version is not marked computed")
	}
	if a := annotationOf(project.property(t, "budget_currency").Annotations, "Core.Computed", ""); a != nil {
		t.Error("budget_currency is writable but marked computed")
	}
	if a := annotationOf(s.entityType(t, "account").Annotations, "Core.AlternateKeys", ""); a == nil ||
		len(a.Collection.Records) != 1 {
		t.Errorf("account alternate keys: %+v", a)
	}

	insertable := func(set string) bool {
		a := annotationOf(s.set(t, set).Annotations, "Capabilities.InsertRestrictions", "")
		return a == nil || a.Record == nil || a.Record.Values[0].Bool != "false"
	}
	if insertable("activities") {
		t.Error("the activity view is not marked read-only")
	}
	if !insertable("projects") || !insertable("accounts") {
		t.Error("a writable entity set is marked read-only")
	}
	if a := annotationOf(s.set(t, "projects").Annotations, "Core.OptimisticConcurrency", ""); a == nil ||
		strings.Join(a.Collection.Paths, ",") != "version" {
		t.Errorf("projects concurrency: %+v", a)
	}
}

func TestCSDLNavigation(t *testing.T) {
	s := parseCSDL(t, CSDL(testModel(t)))
	cases := []struct {
		entity, nav, typ, partner, constraint, nullable string
	}{
		{"account", "contacts", "Collection(Meridian.contact)", "account", "", ""},
		{"account", "primary_contact", "Meridian.contact", "primary_contact_of", "primary_contact_id", ""},
		{"account", "parent_account", "Meridian.account", "child_accounts", "parent_account_id", ""},
		{"account", "projects", "Collection(Meridian.project)", "account", "", ""},
		{"project", "account", "Meridian.account", "projects", "account_id", "false"},
		{"project", "members", "Collection(Meridian.contact)", "projects", "", ""},
		{"marketing_list", "member_contacts", "Collection(Meridian.contact)", "marketing_lists", "", ""},
	}
	for _, c := range cases {
		n := s.entityType(t, c.entity).nav(c.nav)
		if n == nil {
			t.Errorf("%s has no navigation %s", c.entity, c.nav)
			continue
		}
		constraint := ""
		if len(n.Constraints) == 1 && n.Constraints[0].ReferencedProperty == "id" {
			constraint = n.Constraints[0].Property
		}
		if n.Type != c.typ || n.Partner != c.partner || constraint != c.constraint || n.Nullable != c.nullable {
			t.Errorf("%s.%s = %+v", c.entity, c.nav, *n)
		}
	}
	projects := s.set(t, "projects")
	if projects.EntityType != "Meridian.project" {
		t.Errorf("projects entity type = %s", projects.EntityType)
	}
	bindings := map[string]string{}
	for _, b := range projects.Bindings {
		bindings[b.Path] = b.Target
	}
	if bindings["account"] != "accounts" || bindings["members"] != "contacts" {
		t.Errorf("projects bindings = %v", bindings)
	}
}

// TestCSDLIsConsistent checks what a CSDL consumer relies on for every entity: key and
// constraint properties exist, navigation types resolve, partners point back, and bindings
// target the set of the navigation's type.
func TestCSDLIsConsistent(t *testing.T) {
	m := testModel(t)
	s := parseCSDL(t, CSDL(m))
	if len(s.EntityTypes) != len(m.Entities()) || len(s.Container.Sets) != len(m.Entities()) {
		t.Fatalf("%d entity types and %d sets for %d entities", len(s.EntityTypes), len(s.Container.Sets), len(m.Entities()))
	}
	types := map[string]xEntityType{}
	for _, et := range s.EntityTypes {
		types["Meridian."+et.Name] = et
	}
	setType := map[string]string{}
	for _, es := range s.Container.Sets {
		setType[es.Name] = es.EntityType
	}
	for _, et := range s.EntityTypes {
		props := map[string]bool{}
		for _, p := range et.Properties {
			props[p.Name] = true
		}
		for _, k := range et.Key {
			if !props[k.Name] {
				t.Errorf("%s: key %s is not a property", et.Name, k.Name)
			}
		}
		for _, n := range et.Navs {
			target := strings.TrimSuffix(strings.TrimPrefix(n.Type, "Collection("), ")")
			tt, ok := types[target]
			if !ok {
				t.Errorf("%s.%s: unknown type %s", et.Name, n.Name, n.Type)
				continue
			}
			for _, c := range n.Constraints {
				if !props[c.Property] {
					t.Errorf("%s.%s: constraint property %s is not a property", et.Name, n.Name, c.Property)
				}
			}
			if n.Partner != "" {
				if p := tt.nav(n.Partner); p == nil || p.Partner != n.Name {
					t.Errorf("%s.%s: partner %s.%s does not point back", et.Name, n.Name, tt.Name, n.Partner)
				}
			}
		}
	}
	for _, es := range s.Container.Sets {
		et := types[es.EntityType]
		for _, b := range es.Bindings {
			n := et.nav(b.Path)
			if n == nil {
				t.Errorf("%s: binding %s is not a navigation", es.Name, b.Path)
				continue
			}
			if target := strings.TrimSuffix(strings.TrimPrefix(n.Type, "Collection("), ")"); setType[b.Target] != target {
				t.Errorf("%s: binding %s targets %s of type %s, want %s", es.Name, b.Path, b.Target, setType[b.Target], target)
			}
		}
		if len(es.Bindings) != len(et.Navs) {
			t.Errorf("%s: %d bindings for %d navigations", es.Name, len(es.Bindings), len(et.Navs))
		}
	}
}

func TestCSDLIsDeterministic(t *testing.T) {
	a, b := CSDL(buildModel(t, false)), CSDL(buildModel(t, true))
	if !bytes.Equal(a, b) {
		t.Error("CSDL depends on the order of the definitions")
	}
}

func TestSelfClose(t *testing.T) {
	cases := []struct{ in, want string }{
		{`<a x="1"></a>`, `<a x="1"/>`},
		{`<a><b></b></a>`, `<a><b/></a>`},
		{`<a>text</a>`, `<a>text</a>`},
		{`<a x="&gt;&lt;"></a>`, `<a x="&gt;&lt;"/>`},
		{`<ab></a>`, `<ab></a>`},
		{"<p:a\n  x=\"1\"></p:a>", "<p:a\n  x=\"1\"/>"},
	}
	for _, c := range cases {
		if got := string(selfClose([]byte(c.in))); got != c.want {
			t.Errorf("selfClose(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
