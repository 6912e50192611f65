package apidoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
)

const testServer = "http://127.0.0.1:8080/api/v1"

func parseOpenAPI(t *testing.T, doc []byte) map[string]any {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatalf("OpenAPI is not JSON: %v", err)
	}
	return d
}

// at walks a decoded JSON document along object keys; it returns nil when a key is missing.
func at(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// resolve follows a local "$ref" to its target in doc.
func resolve(doc, v any) any {
	ref, ok := at(v, "$ref").(string)
	if !ok {
		return v
	}
	return at(doc, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...)
}

func TestOpenAPIDocument(t *testing.T) {
	d := parseOpenAPI(t, OpenAPI(testModel(t), testServer, "1.2.3"))
	checks := []struct {
		path []string
		want any
	}{
		{[]string{"openapi"}, "3.1.0"},
		{[]string{"info", "title"}, "Meridian CRM API"},
		{[]string{"info", "version"}, "1.2.3"},
		{[]string{"components", "securitySchemes", "bearer", "type"}, "http"},
		{[]string{"components", "securitySchemes", "bearer", "scheme"}, "bearer"},
	}
	for _, c := range checks {
		if got := at(d, c.path...); got != c.want {
			t.Errorf("%s = %v, want %v", strings.Join(c.path, "."), got, c.want)
		}
	}
	if got := at(d["servers"].([]any)[0], "url"); got != testServer {
		t.Errorf("server url = %v", got)
	}
	if sec := d["security"].([]any); len(sec) != 1 || at(sec[0], "bearer") == nil {
		t.Errorf("global security = %v", sec)
	}
}

func TestOpenAPIPaths(t *testing.T) {
	d := parseOpenAPI(t, OpenAPI(testModel(t), testServer, "1"))
	paths := d["paths"].(map[string]any)
	cases := []struct {
		path    string
		methods string // exactly these, sorted
	}{
		{"/accounts", "get post"},
		{"/accounts({id})", "delete get patch"},
		{"/accounts(account_number='{account_number}')", "get patch"},
		{"/accounts({id})/contacts", "get"},
		{"/accounts({id})/projects", "get"},
		{"/projects", "get post"},
		{"/projects({id})", "delete get patch"},
		{"/projects(code='{code}')", "get patch"},
		{"/projects({id})/members", "get"},
		{"/projects({id})/members/$ref", "post"},
		{"/projects({id})/members({related_id})/$ref", "delete"},
		{"/marketing_lists({id})/member_contacts/$ref", "post"},
		{"/activities", "get"},
		{"/activities({id})", "get"},
		{"/$batch", "post"},
		{"/$metadata", "get"},
		{"/auth/login", "post"},
		{"/auth/me", "get patch"},
		{"/metadata/entities", "get post"},
		{"/metadata/entities/{name}", "delete get patch"},
		{"/metadata/entities/{name}/attributes", "get post"},
		{"/metadata/entities/{name}/attributes/{attribute}", "delete patch"},
		{"/metadata/relationships", "get post"},
		{"/healthz", "get"},
		{"/readyz", "get"},
		{"/security/me", "get"},
		{"/plugins", "get"},
		{"/jobs", "get"},
		{"/jobs/stats", "get"},
		{"/jobs/{id}/retry", "post"},
		{"/jobs/{id}/cancel", "post"},
		{"/security/roles", "get post"},
		{"/security/roles/{role_id}", "delete get"},
		{"/security/roles/{role_id}/privileges", "put"},
		{"/security/roles/{role_id}/members", "get post"},
		{"/security/roles/{role_id}/members/{principal_id}", "delete"},
		{"/security/access-team-templates", "get post"},
		{"/security/field-profiles", "get post"},
		{"/security/field-profiles/{profile_id}/permissions", "put"},
		{"/accounts({id})/assign", "post"},
		{"/leads({id})/qualify", "post"},
		{"/leads({id})/disqualify", "post"},
		{"/opportunities({id})/close", "post"},
		{"/opportunities({id})/reopen", "post"},
		{"/cases({id})/resolve", "post"},
		{"/cases({id})/suggested_articles", "get"},
		{"/cases({id})/use_article", "post"},
		{"/knowledge_articles({id})/approve", "post"},
		{"/knowledge_articles({id})/new_version", "post"},
		{"/knowledge_articles/$search", "get"},
		{"/accounts({id})/shares", "get post"},
		{"/accounts({id})/unshare", "post"},
		{"/accounts({id})/access_team_members", "get post"},
		{"/projects({id})/shares", "get post"},
	}
	for _, p := range []string{"/products({id})/assign", "/activities({id})/shares", "/users({id})/shares"} {
		if _, ok := paths[p]; ok {
			t.Errorf("%s: organisation-owned and read-only entities have no owner to assign or share", p)
		}
	}
	for _, c := range cases {
		item, ok := paths[c.path].(map[string]any)
		if !ok {
			t.Errorf("no path %s", c.path)
			continue
		}
		var methods []string
		for m := range item {
			if m != "servers" { // a path-level server override, not an operation
				methods = append(methods, m)
			}
		}
		sort.Strings(methods)
		if got := strings.Join(methods, " "); got != c.methods {
			t.Errorf("%s methods = %q, want %q", c.path, got, c.methods)
		}
	}
	// Single-valued navigations and one-to-many links have no path of their own.
	for _, p := range []string{"/accounts({id})/primary_contact", "/accounts({id})/contacts/$ref"} {
		if _, ok := paths[p]; ok {
			t.Errorf("unexpected path %s", p)
		}
	}

	public := func(path, method string) bool {
		sec, ok := at(paths, path, method, "security").([]any)
		return ok && len(sec) == 0
	}
	if !public("/auth/login", "post") || !public("/healthz", "get") || public("/accounts", "get") {
		t.Error("login and health must be public and records must not")
	}

	create := at(paths, "/projects", "post")
	if loc := at(create, "responses", "201", "headers", "Location"); loc == nil {
		t.Error("create has no Location header on 201")
	}
	if ref := at(create, "requestBody", "content", "application/json", "schema", "$ref"); ref != "#/components/schemas/project_create" {
		t.Errorf("create body = %v", ref)
	}
	update := at(paths, "/projects({id})", "patch")
	for _, code := range []string{"200", "204", "400", "401", "404", "409", "412", "413", "429"} {
		r := resolve(d, at(update, "responses", code))
		if r == nil {
			t.Errorf("update has no %s response", code)
			continue
		}
		if code >= "400" && at(r, "content", "application/json", "schema", "$ref") != "#/components/schemas/Error" {
			t.Errorf("update %s response does not use Error: %v", code, r)
		}
	}
	var names []string
	for _, p := range at(paths, "/accounts", "get", "parameters").([]any) {
		names = append(names, at(resolve(d, p), "name").(string))
	}
	want := "$filter $select $orderby $top $skip $count $expand $apply $skiptoken $deltatoken Prefer Accept-Language"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("list parameters = %q, want %q", got, want)
	}
}

func TestOpenAPISchemas(t *testing.T) {
	d := parseOpenAPI(t, OpenAPI(testModel(t), testServer, "1"))
	schemas := at(d, "components", "schemas").(map[string]any)
	project := schemas["project"]
	prop := func(name string) any { return at(project, "properties", name) }
	cases := []struct {
		path []string
		want any
	}{
		{[]string{"title"}, "Project"},
		{[]string{"x-display-name-zh"}, "项目"},
		{[]string{"properties", "phase", "type"}, "string"},
		{[]string{"properties", "phase", "enum"}, []any{"plan", "build"}},
		{[]string{"properties", "phase", "x-display-name-zh"}, "阶段"},
		{[]string{"properties", "code", "type"}, []any{"string", "null"}},
		{[]string{"properties", "code", "maxLength"}, 20.0},
		{[]string{"properties", "id", "format"}, "uuid"},
		{[]string{"properties", "id", "readOnly"}, true},
		{[]string{"properties", "budget", "type"}, []any{"number", "null"}},
		{[]string{"properties", "budget", "x-scale"}, 4.0},
		{[]string{"properties", "hours", "x-scale"}, 2.0},
		{[]string{"properties", "priority", "type"}, []any{"integer", "null"}},
		{[]string{"properties", "priority", "minimum"}, 1.0},
		{[]string{"properties", "priority", "maximum"}, 5.0},
		{[]string{"properties", "tags", "items", "enum"}, []any{"urgent", "internal"}},
		{[]string{"properties", "starts_on", "format"}, "date"},
		{[]string{"properties", "created_at", "format"}, "date-time"},
		{[]string{"properties", "account_id", "format"}, "uuid"},
		{[]string{"properties", "account_id", "type"}, "string"},
		{[]string{"properties", "is_billable", "default"}, true},
		{[]string{"properties", "members", "items", "$ref"}, "#/components/schemas/contact"},
	}
	for _, c := range cases {
		if got := at(project, c.path...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("project.%s = %#v, want %#v", strings.Join(c.path, "."), got, c.want)
		}
	}
	if desc, _ := at(prop("account_id"), "description").(string); !strings.Contains(desc, "account") {
		t.Errorf("lookup description %q does not name the target", desc)
	}
	if at(schemas, "account", "properties", "email", "format") != "email" ||
		at(schemas, "account", "properties", "website", "format") != "uri" {
		t.Error("email and url formats are missing")
	}

	create := schemas["project_create"]
	var required []string
	for _, r := range at(create, "required").([]any) {
		required = append(required, r.(string))
	}
	// is_billable is required but has a default, so a create may leave it out.
	if got := strings.Join(required, ","); got != "name,account_id,phase" {
		t.Errorf("project_create required = %s", got)
	}
	for _, p := range []string{"id", "version", "created_at", "owner_id", "members"} {
		if at(create, "properties", p) != nil {
			t.Errorf("project_create has read-only property %s", p)
		}
	}
	for _, p := range []string{"name", "budget", "budget_currency", "account_id"} {
		if at(create, "properties", p) == nil {
			t.Errorf("project_create lacks %s", p)
		}
	}
	if at(schemas, "project_update", "required") != nil {
		t.Error("project_update requires properties")
	}
	if at(schemas, "activity_create") != nil {
		t.Error("the read-only activity view has a create schema")
	}
	page := schemas["project_collection"]
	for _, p := range []string{"@odata.nextLink", "@odata.count", "@odata.deltaLink"} {
		if at(page, "properties", p) == nil {
			t.Errorf("project_collection lacks %s", p)
		}
	}
	if at(page, "properties", "value", "items", "$ref") != "#/components/schemas/project" {
		t.Error("project_collection value is not an array of project")
	}
	errBody := at(schemas, "Error", "properties", "error", "properties")
	for _, p := range []string{"code", "message", "target", "details"} {
		if at(errBody, p) == nil {
			t.Errorf("Error lacks error.%s", p)
		}
	}
}

// TestOpenAPIIsConsistent checks what generators rely on: every $ref resolves, operation ids
// are unique, path templates and path parameters agree and every operation can succeed.
func TestOpenAPIIsConsistent(t *testing.T) {
	d := parseOpenAPI(t, OpenAPI(testModel(t), testServer, "1"))
	var walk func(v any, where string)
	walk = func(v any, where string) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok && resolve(d, x) == nil {
				t.Errorf("%s: $ref %s does not resolve", where, ref)
			}
			for k, c := range x {
				walk(c, where+"/"+k)
			}
		case []any:
			for i, c := range x {
				walk(c, fmt.Sprintf("%s/%d", where, i))
			}
		}
	}
	walk(d, "#")

	ids := map[string]string{}
	templ := regexp.MustCompile(`\{([a-z_]+)\}`)
	for path, item := range d["paths"].(map[string]any) {
		var want []string
		for _, m := range templ.FindAllStringSubmatch(path, -1) {
			want = append(want, m[1])
		}
		sort.Strings(want)
		for method, op := range item.(map[string]any) {
			if method == "servers" {
				continue
			}
			where := method + " " + path
			id, _ := at(op, "operationId").(string)
			if other, dup := ids[id]; dup || id == "" {
				t.Errorf("%s: operation id %q is missing or also used by %s", where, id, other)
			}
			ids[id] = where
			var got []string
			params, _ := at(op, "parameters").([]any)
			for _, p := range params {
				if p = resolve(d, p); at(p, "in") == "path" {
					got = append(got, at(p, "name").(string))
				}
			}
			sort.Strings(got)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: path parameters %v, want %v", where, got, want)
			}
			ok := false
			for code := range at(op, "responses").(map[string]any) {
				ok = ok || strings.HasPrefix(code, "2")
			}
			if !ok {
				t.Errorf("%s: no success response", where)
			}
		}
	}
}

func TestOpenAPIIsDeterministic(t *testing.T) {
	a := OpenAPI(buildModel(t, false), testServer, "1")
	b := OpenAPI(buildModel(t, true), testServer, "1")
	if !bytes.Equal(a, b) {
		t.Error("OpenAPI depends on the order of the definitions")
	}
}
