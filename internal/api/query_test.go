package api_test

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
)

// crm is a small data set of accounts, contacts and a few records with dates.
type crm struct {
	acc, con map[string]string // name → id
}

func seedCRM(t *testing.T, c *client) *crm {
	t.Helper()
	d := &crm{acc: map[string]string{}, con: map[string]string{}}
	for _, a := range []map[string]any{
		{"name": "Contoso Ltd", "city": "Shanghai", "industry": "technology", "revenue": 1000, "employees": 50},
		{"name": "Fabrikam", "city": "Beijing", "industry": "manufacturing", "revenue": 5000, "employees": 200},
		{"name": "Northwind Traders", "industry": "retail", "employees": 10},
		{"name": "Tailspin", "city": "Shenzhen", "industry": "technology"},
	} {
		d.acc[a["name"].(string)] = c.create("accounts", a)
	}
	for _, p := range []struct{ first, last, account string }{
		{"Alice", "Smith", "Contoso Ltd"}, {"Bob", "Jones", "Contoso Ltd"}, {"Carol", "White", "Fabrikam"}, {"Dan", "Brown", ""},
	} {
		body := map[string]any{"first_name": p.first, "last_name": p.last}
		if p.account != "" {
			body["account_id@odata.bind"] = "accounts(" + d.acc[p.account] + ")"
		}
		d.con[p.first] = c.create("contacts", body)
	}
	c.patch("accounts("+d.acc["Contoso Ltd"]+")", map[string]any{"primary_contact_id": d.con["Alice"]}).want(http.StatusNoContent)
	c.create("opportunities", map[string]any{"name": "Small deal", "close_date": "2030-01-15", "account_id": d.acc["Fabrikam"]})
	c.create("opportunities", map[string]any{"name": "Big deal", "close_date": "2030-03-01", "account_id": d.acc["Contoso Ltd"]})
	c.create("tasks", map[string]any{"subject": "Call back", "due_at": "2030-05-01T10:00:00Z"})
	c.create("tasks", map[string]any{"subject": "Send offer", "due_at": "2030-05-01T14:30:00Z"})
	return d
}

// q escapes a query option value for a URL.
func q(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") }

func sorted(s []string) []string {
	s = slices.Clone(s)
	sort.Strings(s)
	return s
}

func TestFilter(t *testing.T) {
	s := newServer(t)
	c := s.login()
	seedCRM(t, c)

	cases := []struct {
		set, filter, key string
		want             []string // sorted
	}{
		{"accounts", "industry eq 'technology' and employees gt 20", "name", []string{"Contoso Ltd"}},
		{"accounts", "industry eq 'technology' or city eq 'Beijing'", "name", []string{"Contoso Ltd", "Fabrikam", "Tailspin"}},
		{"accounts", "not (industry eq 'technology')", "name", []string{"Fabrikam", "Northwind Traders"}},
		{"accounts", "(industry eq 'technology' or industry eq 'retail') and employees lt 100", "name", []string{"Contoso Ltd", "Northwind Traders"}},
		{"accounts", "contains(name,'TRADERS')", "name", []string{"Northwind Traders"}},
		{"accounts", "startswith(name,'fab')", "name", []string{"Fabrikam"}},
		{"accounts", "endswith(name,'SPIN')", "name", []string{"Tailspin"}},
		{"accounts", "city in ('Shanghai','Beijing')", "name", []string{"Contoso Ltd", "Fabrikam"}},
		{"accounts", "city eq null", "name", []string{"Northwind Traders"}},
		{"accounts", "city ne null", "name", []string{"Contoso Ltd", "Fabrikam", "Tailspin"}},
		{"accounts", "revenue ge 1000.00", "name", []string{"Contoso Ltd", "Fabrikam"}},
		{"accounts", "primary_contact_id/full_name eq 'Alice Smith'", "name", []string{"Contoso Ltd"}},
		{"accounts", "primary_contact/first_name eq 'Alice'", "name", []string{"Contoso Ltd"}},
		{"accounts", "created_at gt 2000-01-01T00:00:00Z", "name", []string{"Contoso Ltd", "Fabrikam", "Northwind Traders", "Tailspin"}},
		{"accounts", "created_at lt 2000-01-01T00:00:00Z", "name", nil},
		{"contacts", "account_id/city eq 'Beijing'", "full_name", []string{"Carol White"}},
		{"contacts", "account_id eq null", "full_name", []string{"Dan Brown"}},
		{"opportunities", "close_date ge 2030-02-01", "name", []string{"Big deal"}},
		{"opportunities", "close_date eq 2030-01-15", "name", []string{"Small deal"}},
		{"tasks", "due_at lt 2030-05-01T12:00:00Z", "subject", []string{"Call back"}},
		{"tasks", "due_at ge 2030-05-01T14:30:00Z", "subject", []string{"Send offer"}},
	}
	for _, tc := range cases {
		t.Run(tc.set+" "+tc.filter, func(t *testing.T) {
			c := c.in(t)
			got := sorted(column(c.get(tc.set+"?$filter="+q(tc.filter)).want(http.StatusOK).values(), tc.key))
			if !slices.Equal(got, tc.want) && (len(got) != 0 || len(tc.want) != 0) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSelectOrderPageCount(t *testing.T) {
	s := newServer(t)
	c := s.login()
	seedCRM(t, c)

	r := c.get("accounts?$select=name,city&$filter=" + q("name eq 'Fabrikam'")).want(200)
	v := r.values()
	if len(v) != 1 || field(v[0], "name") != "Fabrikam" || field(v[0], "city") != "Beijing" || v[0]["industry"] != nil || v[0]["employees"] != nil {
		t.Errorf("$select=name,city: %s", r.raw)
	}

	got := column(c.get("accounts?$orderby="+q("industry asc,name desc")).want(200).values(), "name")
	if want := []string{"Fabrikam", "Northwind Traders", "Tailspin", "Contoso Ltd"}; !slices.Equal(got, want) {
		t.Errorf("$orderby industry asc,name desc: %v, want %v", got, want)
	}
	got = column(c.get("accounts?$orderby=name&$top=2&$skip=1").want(200).values(), "name")
	if want := []string{"Fabrikam", "Northwind Traders"}; !slices.Equal(got, want) {
		t.Errorf("$top=2&$skip=1: %v, want %v", got, want)
	}

	r = c.get("accounts?$count=true&$top=1&$orderby=name").want(200)
	if r.str("@odata.count") != "4" || len(r.values()) != 1 {
		t.Errorf("$count=true&$top=1: %s", r.raw)
	}
	if r = c.get("accounts?$count=true&$filter=" + q("industry eq 'technology'")).want(200); r.str("@odata.count") != "2" {
		t.Errorf("$count with $filter: %s", r.raw)
	}
	if r = c.get("accounts").want(200); r.at("@odata.count") != nil {
		t.Errorf("@odata.count without $count=true: %s", r.raw)
	}
	if n := c.get("accounts/$count?$filter=" + q("industry eq 'technology'")).want(200); string(n.raw) != "2" {
		t.Errorf("/$count?$filter = %q, want 2", n.raw)
	}

	t.Run("top zero", func(t *testing.T) {
		c := c.in(t)
		r := c.get("accounts?$top=0&$count=true").want(http.StatusOK)
		if len(r.values()) != 0 || r.str("@odata.count") != "4" || r.at("@odata.nextLink") != nil {
			t.Errorf("$top=0&$count=true: %s", r.raw)
		}
	})
}

func TestExpand(t *testing.T) {
	s := newServer(t)
	c := s.login()
	d := seedCRM(t, c)

	// Many-to-one: contact → account.
	r := c.get("contacts?$orderby=last_name&$select=full_name&$expand=" + q("account_id($select=name,city)")).want(200)
	var got []string
	for _, v := range r.values() {
		acc, _ := v["account"].(map[string]any)
		got = append(got, field(v, "full_name")+"@"+field(acc, "name"))
		if acc != nil && (acc["industry"] != nil || field(acc, "city") == "") {
			t.Errorf("nested $select not applied: %v", acc)
		}
	}
	if want := []string{"Dan Brown@", "Bob Jones@Contoso Ltd", "Alice Smith@Contoso Ltd", "Carol White@Fabrikam"}; !slices.Equal(got, want) {
		t.Errorf("contacts with account: %v, want %v", got, want)
	}

	// One-to-many: account → contacts, with nested $select, $filter, $orderby and $top.
	r = c.get("accounts(" + d.acc["Contoso Ltd"] + ")?$expand=" +
		q("contacts($select=first_name;$filter=startswith(first_name,'A') or startswith(first_name,'B');$orderby=first_name desc;$top=1)")).want(200)
	exp, _ := r.at("contacts").([]any)
	if len(exp) != 1 || asString(lookup(exp[0], "first_name")) != "Bob" || lookup(exp[0], "last_name") != nil {
		t.Errorf("nested expand options: %s", r.raw)
	}
	r = c.get("accounts?$orderby=name&$select=name&$expand=" + q("contacts($select=first_name;$orderby=first_name)")).want(200)
	got = nil
	for _, v := range r.values() {
		var names []string
		for _, x := range v["contacts"].([]any) {
			names = append(names, asString(lookup(x, "first_name")))
		}
		got = append(got, field(v, "name")+":"+strings.Join(names, ","))
	}
	if want := "Contoso Ltd:Alice,Bob Fabrikam:Carol Northwind Traders: Tailspin:"; strings.Join(got, " ") != want {
		t.Errorf("accounts with contacts: %q, want %q", strings.Join(got, " "), want)
	}
	// Both at once, and the navigation named by the lookup's stem.
	r = c.get("accounts(" + d.acc["Contoso Ltd"] + ")?$expand=" + q("primary_contact($select=full_name),opportunities($select=name)")).want(200)
	if r.str("primary_contact.full_name") != "Alice Smith" || r.str("opportunities.0.name") != "Big deal" {
		t.Errorf("two expands: %s", r.raw)
	}

	// Navigation paths.
	got = sorted(column(c.get("accounts("+d.acc["Contoso Ltd"]+")/contacts").want(200).values(), "first_name"))
	if !slices.Equal(got, []string{"Alice", "Bob"}) {
		t.Errorf("accounts(id)/contacts: %v", got)
	}
	got = column(c.get("accounts("+d.acc["Contoso Ltd"]+")/contacts?$filter="+q("first_name eq 'Bob'")).want(200).values(), "first_name")
	if !slices.Equal(got, []string{"Bob"}) {
		t.Errorf("accounts(id)/contacts?$filter: %v", got)
	}
	paged := c.all("accounts("+d.acc["Contoso Ltd"]+")/contacts?$orderby=first_name", hdr("Prefer", "odata.maxpagesize=1")...)
	if got := column(paged, "first_name"); !slices.Equal(got, []string{"Alice", "Bob"}) {
		t.Errorf("paging a navigation: %v", got)
	}
	if n := c.get("accounts("+d.acc["Contoso Ltd"]+")/contacts/$count", hdr("Prefer", "odata.maxpagesize=1")...).want(200); string(n.raw) != "2" {
		t.Errorf("accounts(id)/contacts/$count = %q, want 2 (not limited by the page size)", n.raw)
	}
	if pc := c.get("accounts(" + d.acc["Contoso Ltd"] + ")/primary_contact").want(200); pc.str("first_name") != "Alice" {
		t.Errorf("accounts(id)/primary_contact: %s", pc.raw)
	}
	c.get("accounts(" + d.acc["Fabrikam"] + ")/primary_contact").want(http.StatusNoContent)
	c.get("accounts(account_number='none')/contacts").wantError(404, "not_found", "-")
}

func TestAssociations(t *testing.T) {
	s := newServer(t)
	c := s.login()
	d := seedCRM(t, c)
	list := c.create("marketing_lists", map[string]any{"name": "Newsletter"})
	other := c.create("marketing_lists", map[string]any{"name": "Events"})

	c.post("marketing_lists("+list+")/member_contacts/$ref", map[string]any{"@odata.id": "contacts(" + d.con["Alice"] + ")"}).want(http.StatusNoContent)
	c.post("marketing_lists("+list+")/member_contacts/$ref", map[string]any{"@odata.id": s.srv.URL + "/api/v1/contacts(" + d.con["Bob"] + ")"}).want(http.StatusNoContent)
	// Linking twice is not an error.
	c.post("marketing_lists("+list+")/member_contacts/$ref", map[string]any{"@odata.id": "contacts(" + d.con["Alice"] + ")"}).want(http.StatusNoContent)
	c.post("contacts("+d.con["Alice"]+")/marketing_lists/$ref", map[string]any{"@odata.id": "marketing_lists(" + other + ")"}).want(http.StatusNoContent)

	c.post("marketing_lists("+list+")/member_contacts/$ref", map[string]any{"@odata.id": "nonsense"}).wantError(400, "invalid_reference", "@odata.id")
	c.post("marketing_lists("+list+")/member_contacts/$ref", map[string]any{"@odata.id": "contacts(0190e5d2-0000-7000-8000-000000000001)"}).wantError(404, "not_found", "-")

	members := func() []string {
		return sorted(column(c.get("marketing_lists("+list+")/member_contacts").want(200).values(), "first_name"))
	}
	if got := members(); !slices.Equal(got, []string{"Alice", "Bob"}) {
		t.Errorf("members: %v", got)
	}
	r := c.get("marketing_lists(" + list + ")?$expand=" + q("member_contacts($select=first_name;$orderby=first_name)")).want(200)
	if r.str("member_contacts.0.first_name") != "Alice" || r.str("member_contacts.1.first_name") != "Bob" || r.at("member_contacts.2") != nil {
		t.Errorf("$expand=member_contacts: %s", r.raw)
	}
	got := sorted(column(c.get("contacts("+d.con["Alice"]+")/marketing_lists").want(200).values(), "name"))
	if !slices.Equal(got, []string{"Events", "Newsletter"}) {
		t.Errorf("contacts(Alice)/marketing_lists: %v", got)
	}
	got = column(c.get("marketing_lists?$filter="+q("member_contacts/any(m:m/first_name eq 'Bob')")).want(200).values(), "name")
	if !slices.Equal(got, []string{"Newsletter"}) {
		t.Errorf("any() over N:N: %v", got)
	}

	c.delete("marketing_lists(" + list + ")/member_contacts(" + d.con["Alice"] + ")/$ref").want(http.StatusNoContent)
	c.delete("marketing_lists("+list+")/member_contacts("+d.con["Alice"]+")/$ref").wantError(404, "not_linked", "-")
	if got := members(); !slices.Equal(got, []string{"Bob"}) {
		t.Errorf("members after unlinking Alice: %v", got)
	}
	c.delete("marketing_lists(" + list + ")/member_contacts/$ref?$id=" + q("contacts("+d.con["Bob"]+")")).want(http.StatusNoContent)
	if got := members(); len(got) != 0 {
		t.Errorf("members after unlinking Bob: %v", got)
	}

	// $ref on a one-to-many navigation sets and clears the lookup.
	c.post("accounts("+d.acc["Fabrikam"]+")/contacts/$ref", map[string]any{"@odata.id": "contacts(" + d.con["Dan"] + ")"}).want(http.StatusNoContent)
	if g := c.get("contacts(" + d.con["Dan"] + ")").want(200); g.str("account_id") != d.acc["Fabrikam"] {
		t.Errorf("after $ref on contacts: account_id = %q", g.str("account_id"))
	}
	c.delete("accounts(" + d.acc["Fabrikam"] + ")/contacts(" + d.con["Dan"] + ")/$ref").want(http.StatusNoContent)
	if g := c.get("contacts(" + d.con["Dan"] + ")").want(200); g.at("account_id") != nil {
		t.Errorf("after unlinking: account_id = %v", g.at("account_id"))
	}
	c.post("contacts("+d.con["Dan"]+")/account/$ref", map[string]any{"@odata.id": "accounts(" + d.acc["Fabrikam"] + ")"}).
		wantError(400, "invalid_navigation", "-")
}
