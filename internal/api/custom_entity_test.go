package api_test

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
)

// projectDefinition is the custom entity of the "done when" scenario.
const projectDefinition = `{
  "name": "project", "set_name": "projects", "display_name": {"en": "Project", "zh": "项目"},
  "attributes": [
    {"name": "title", "type": "string", "required": true, "max_length": 200},
    {"name": "account_id", "type": "lookup", "target": "account"},
    {"name": "phase", "type": "choice", "options": [
      {"value": "plan", "label": {"en": "Plan", "zh": "计划"}},
      {"value": "build", "label": {"en": "Build", "zh": "建设"}}]},
    {"name": "budget", "type": "money"}
  ]
}`

// TestCustomEntityDoneWhen walks the acceptance scenario: define an entity through the
// metadata API, fill it, query it every way, change its attributes, and find it all again
// after a restart.
func TestCustomEntityDoneWhen(t *testing.T) {
	s := newServer(t)
	c := s.login()

	r := c.post("metadata/entities", projectDefinition).want(http.StatusCreated)
	if r.str("name") != "project" || r.str("custom") != "true" || !strings.HasSuffix(r.header.Get("Location"), "/metadata/entities/project") {
		t.Fatalf("create entity: %v %s", r.header, r.raw)
	}
	if g := c.get("metadata/entities/project").want(200); g.str("display_name.zh") != "项目" || g.str("set_name") != "projects" {
		t.Errorf("entity definition: %s", g.raw)
	}

	// Fill it: projects linked to accounts.
	acc := map[string]string{}
	for _, n := range []string{"Acme", "Globex", "Initech"} {
		acc[n] = c.create("accounts", map[string]any{"name": n, "city": "City of " + n})
	}
	type proj struct {
		title, account, phase string
		budget                any
	}
	projects := []proj{
		{"Alpha", "Acme", "build", 150},
		{"Beta", "Acme", "build", 50},
		{"Gamma", "Globex", "plan", 500},
		{"Delta", "Acme", "build", 1000},
		{"Epsilon", "Globex", "build", "100.5"},
		{"Zeta", "", "plan", 10},
		{"Eta", "Initech", "", nil},
	}
	pid := map[string]string{}
	for _, p := range projects {
		body := map[string]any{"title": p.title, "budget": p.budget}
		if p.account != "" {
			body["account_id"] = acc[p.account]
		}
		if p.phase != "" {
			body["phase"] = p.phase
		}
		pid[p.title] = c.create("projects", body)
	}
	c.post("projects", map[string]any{"title": "Bad", "phase": "ship"}).wantError(400, "invalid_choice", "phase")
	c.post("projects", map[string]any{"phase": "plan"}).wantError(400, "required", "title")

	checkQueries := func(t *testing.T, c *client) {
		// $filter on a choice and a money attribute.
		got := column(c.get("projects?$filter=phase%20eq%20'build'%20and%20budget%20gt%20100&$orderby=title").want(200).values(), "title")
		if want := []string{"Alpha", "Delta", "Epsilon"}; !slices.Equal(got, want) {
			t.Errorf("$filter phase/budget: %v, want %v", got, want)
		}

		// Many-to-one $expand with a nested $select (the lookup's attribute name is accepted).
		r := c.get("projects(" + pid["Alpha"] + ")?$expand=account_id($select=name)").want(200)
		if r.str("account.name") != "Acme" || r.at("account.city") != nil || r.str("account_id") != acc["Acme"] {
			t.Errorf("$expand=account_id($select=name): %s", r.raw)
		}
		r = c.get("projects?$filter=title%20eq%20'Zeta'&$expand=account($select=name)").want(200)
		if v := r.values(); len(v) != 1 || v[0]["account"] != nil {
			t.Errorf("expanding an empty lookup: %s", r.raw)
		}

		// The reverse one-to-many navigation is named after the set.
		r = c.get("accounts?$filter=name%20eq%20'Acme'&$expand=projects($select=title;$top=2)").want(200)
		if exp, _ := lookup(r.body, "value.0.projects").([]any); len(exp) != 2 || lookup(exp[0], "budget") != nil || asString(lookup(exp[0], "title")) == "" {
			t.Errorf("$expand=projects($select=title;$top=2): %s", r.raw)
		}
		r = c.get("accounts?$orderby=name&$expand=projects($select=title;$orderby=title%20desc)").want(200)
		var got2 []string
		for _, a := range r.values() {
			var titles []string
			for _, p := range a["projects"].([]any) {
				titles = append(titles, asString(lookup(p, "title")))
			}
			got2 = append(got2, field(a, "name")+":"+strings.Join(titles, ","))
		}
		if want := "Acme:Delta,Beta,Alpha Globex:Gamma,Epsilon Initech:Eta"; strings.Join(got2, " ") != want {
			t.Errorf("reverse $expand: %v, want %s", got2, want)
		}
		if n := c.get("accounts(" + acc["Acme"] + ")/projects/$count").want(200); string(n.raw) != "3" {
			t.Errorf("accounts(Acme)/projects/$count = %q, want 3", n.raw)
		}

		// $apply groupby with aggregates.
		r = c.get("projects?$apply=groupby((phase),aggregate(budget%20with%20sum%20as%20total,$count%20as%20n))").want(200)
		groups := map[string]string{}
		for _, g := range r.values() {
			if g["id"] != nil || g["@odata.etag"] != nil {
				t.Errorf("aggregated row with a record id or ETag: %v", g)
			}
			groups[field(g, "phase")] = dec(field(g, "total")) + "/" + field(g, "n")
		}
		want := map[string]string{"build": "1300.5/4", "plan": "510/2", "": "/1"}
		if !mapsEqual(groups, want) {
			t.Errorf("$apply groups = %v, want %v", groups, want)
		}

		// Server-driven paging reaches every record exactly once.
		all := c.all("projects?$select=title", hdr("Prefer", "odata.maxpagesize=2")...)
		titles := column(all, "title")
		sort.Strings(titles)
		want2 := []string{"Alpha", "Beta", "Delta", "Epsilon", "Eta", "Gamma", "Zeta"}
		if !slices.Equal(titles, want2) {
			t.Errorf("paged titles %v, want %v", titles, want2)
		}
		ordered := column(c.all("projects?$orderby=budget%20desc,title&$select=title,budget", hdr("Prefer", "odata.maxpagesize=2")...), "title")
		if want := []string{"Delta", "Gamma", "Alpha", "Epsilon", "Beta", "Zeta", "Eta"}; !slices.Equal(ordered, want) &&
			!slices.Equal(ordered, append([]string{"Eta"}, want[:6]...)) { // NULLs sort first or last by database
			t.Errorf("paged by budget desc: %v", ordered)
		}

		// The documents describe the entity.
		x := c.get("$metadata").want(200)
		if !strings.Contains(string(x.raw), `EntityType Name="project"`) || !strings.Contains(string(x.raw), `EntitySet Name="projects"`) {
			t.Errorf("$metadata does not describe project")
		}
		o := c.get("openapi.json").want(200)
		if lookup(o.body, "paths./projects") == nil {
			t.Errorf("openapi.json has no /projects path")
		}
	}
	t.Run("queries", func(t *testing.T) { checkQueries(t, c.in(t)) })

	// A new attribute is usable at once.
	a := c.post("metadata/entities/project/attributes", map[string]any{"name": "priority", "type": "integer", "min": 1, "max": 5}).want(http.StatusCreated)
	if a.str("name") != "priority" || !strings.HasSuffix(a.header.Get("Location"), "/metadata/entities/project/attributes/priority") {
		t.Errorf("add attribute: %v %s", a.header, a.raw)
	}
	c.patch("projects("+pid["Alpha"]+")", map[string]any{"priority": 3}).want(http.StatusNoContent)
	c.patch("projects("+pid["Beta"]+")", map[string]any{"priority": 9}).wantError(400, "out_of_range", "priority")
	if got := ids(c.get("projects?$filter=priority%20eq%203").want(200).values()); !slices.Equal(got, []string{pid["Alpha"]}) {
		t.Errorf("$filter on the new attribute: %v", got)
	}

	// Deleting a populated attribute needs force.
	c.delete("metadata/entities/project/attributes/priority").wantError(http.StatusConflict, "data_loss", "priority")
	if g := c.get("projects(" + pid["Alpha"] + ")").want(200); g.str("priority") != "3" {
		t.Fatalf("a refused delete lost data: %s", g.raw)
	}
	c.delete("metadata/entities/project/attributes/priority?force=true").want(http.StatusNoContent)
	if g := c.get("projects(" + pid["Alpha"] + ")").want(200); g.at("priority") != nil {
		t.Errorf("deleted attribute still returned: %s", g.raw)
	}
	c.get("projects?$filter=priority%20eq%203").wantError(400, "unknown_field", "$filter")
	c.delete("metadata/entities/project/attributes/nothing").wantError(404, "unknown_attribute", "-")
	// An unpopulated attribute goes without force.
	c.post("metadata/entities/project/attributes", map[string]any{"name": "notes", "type": "text"}).want(http.StatusCreated)
	c.delete("metadata/entities/project/attributes/notes").want(http.StatusNoContent)

	// Restart: a new app on the same database still has the entity and its records, and the
	// session token survives.
	s.restart()
	if n := c.count("projects"); n != len(projects) {
		t.Errorf("%d projects after restart, want %d", n, len(projects))
	}
	t.Run("queries after restart", func(t *testing.T) { checkQueries(t, c.in(t)) })
	c.create("projects", map[string]any{"title": "After restart", "account_id@odata.bind": "accounts(" + acc["Initech"] + ")"})

	// A populated entity is deleted only with force, and not while another entity looks it up.
	c.delete("metadata/entities/project").wantError(http.StatusConflict, "data_loss", "-")
	c.post("metadata/entities", entityDef("milestone", "milestones",
		map[string]any{"name": "project_id", "type": "lookup", "target": "project"})).want(http.StatusCreated)
	c.delete("metadata/entities/project?force=true").wantError(http.StatusConflict, "in_use", "-")
	c.delete("metadata/entities/milestone").want(http.StatusNoContent)
	c.delete("metadata/entities/project?force=true").want(http.StatusNoContent)
	c.get("projects").wantError(http.StatusNotFound, "unknown_entity_set", "-")
	if n := c.count("accounts"); n != 3 {
		t.Errorf("%d accounts after deleting projects, want 3", n)
	}
}

// dec normalizes a decimal string: "1300.5000" → "1300.5".
func dec(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
