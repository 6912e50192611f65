package apidoc

import (
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// Operation ids of entity sets are "<entity>.<verb>" (account.list, account.nav.contacts.list):
// entity names are unique and contain no dots, so they cannot collide with each other or with
// the dotless ids of the service operations.

// addRecordPaths adds the paths of one entity set: the collection, a record by id, a record by
// each alternate key, and the collection-valued navigations of a record.
func addRecordPaths(paths object, m *metadata.Model, e *metadata.Entity) {
	tag, one, plural := e.SetName, e.DisplayName.EN, e.PluralName.EN
	set := "/" + e.SetName
	byID := set + "({id})"
	rec := schemaRef(e.Name)
	readErrs := []int{400, 401, 403, 404, 429}
	writeErrs := []int{400, 401, 403, 404, 409, 412, 413, 429}

	coll := object{"get": operation{
		id: e.Name + ".list", tag: tag, summary: "List " + plural,
		description: "Records visible to the caller, with OData query options. Pages end with " +
			"@odata.nextLink; with `Prefer: odata.track-changes` the last page carries an @odata.deltaLink " +
			"that later returns only the changes.",
		params: paramRefs(queryParams...),
		ok:     object{"200": response("A page of records.", schemaRef(e.Name+"_collection"), "Preference-Applied")},
		errors: []int{400, 401, 403, 429},
	}.build()}
	item := object{"get": operation{
		id: e.Name + ".get", tag: tag, summary: "Get " + one,
		params: paramRefs("id", "select", "expand"),
		ok:     object{"200": response("The record.", rec, "ETag")},
		errors: readErrs,
	}.build()}
	if !e.ReadOnly() {
		coll["post"] = operation{
			id: e.Name + ".create", tag: tag, summary: "Create " + one, description: createNote(e),
			params: paramRefs("prefer"),
			body:   body(schemaRef(e.Name + "_create")),
			ok: object{
				"201": response("Created; the body is the new record.", rec, "Location", "ETag"),
				"204": response("Created (with `Prefer: return=minimal`).", nil, "Location", "OData-EntityId", "ETag"),
			},
			errors: []int{400, 401, 403, 409, 413, 429},
		}.build()
		item["patch"] = operation{
			id: e.Name + ".update", tag: tag, summary: "Update " + one,
			description: "Changes the given properties only. Send If-Match to fail instead of overwriting a newer version.",
			params:      paramRefs("id", "if_match", "prefer"),
			body:        body(schemaRef(e.Name + "_update")),
			ok: object{
				"200": response("Updated (with `Prefer: return=representation`).", rec, "ETag", "Preference-Applied"),
				"204": response("Updated.", nil, "ETag"),
			},
			errors: writeErrs,
		}.build()
		item["delete"] = operation{
			id: e.Name + ".delete", tag: tag, summary: "Delete " + one,
			params: paramRefs("id", "if_match"),
			ok:     object{"204": response("Deleted.", nil)},
			errors: []int{401, 403, 404, 409, 412, 429},
		}.build()
	}
	paths[set] = coll
	paths[byID] = item

	for _, k := range e.AlternateKeys {
		addAlternateKeyPath(paths, e, k)
	}
	for _, n := range m.Navs(e) {
		if n.Collection() {
			addNavPaths(paths, e, n)
		}
	}
}

// addAlternateKeyPath adds /{set}(key='{key}') for reads and upserts by an alternate key.
func addAlternateKeyPath(paths object, e *metadata.Entity, k metadata.AlternateKey) {
	var parts []string
	var params []any
	for _, an := range k.Attributes {
		a := e.Attr(an)
		if a == nil {
			return // an invalid definition; the model validates keys before they get here
		}
		parts = append(parts, keyLiteral(a))
		params = append(params, pathParam(an, a.DisplayName.EN+
			" (percent-encoded; a single quote inside a string is written twice).", keySchema(a)))
	}
	p := "/" + e.SetName + "(" + strings.Join(parts, ",") + ")"
	item := object{"get": operation{
		id: e.Name + ".get_by." + k.Name, tag: e.SetName, summary: fmt.Sprintf("Get %s by %s", e.DisplayName.EN, k.Name),
		params: append(params, paramRefs("select", "expand")...),
		ok:     object{"200": response("The record.", schemaRef(e.Name), "ETag")},
		errors: []int{400, 401, 403, 404, 429},
	}.build()}
	if !e.ReadOnly() {
		item["patch"] = operation{
			id: e.Name + ".upsert_by." + k.Name, tag: e.SetName, summary: fmt.Sprintf("Upsert %s by %s", e.DisplayName.EN, k.Name),
			description: "Updates the record with this key, or creates one from the body and the key values " +
				"(required attributes must then be in the body).",
			params: append(append([]any{}, params...), paramRefs("if_match", "prefer")...),
			body:   body(schemaRef(e.Name + "_update")),
			ok: object{
				"200": response("Updated or created (with `Prefer: return=representation`).", schemaRef(e.Name), "ETag"),
				"201": response("Created.", schemaRef(e.Name), "Location", "ETag"),
				"204": response("Updated or created.", nil, "ETag"),
			},
			errors: []int{400, 401, 403, 404, 409, 412, 413, 429},
		}.build()
	}
	paths[p] = item
}

// addNavPaths adds the related-records path of a collection-valued navigation and, for N:N
// relationships, the $ref paths that link and unlink records.
func addNavPaths(paths object, e *metadata.Entity, n *metadata.Nav) {
	base := "/" + e.SetName + "({id})/" + n.Name
	id := e.Name + ".nav." + n.Name
	paths[base] = object{"get": operation{
		id: id + ".list", tag: e.SetName, summary: fmt.Sprintf("List %s of %s", n.To.PluralName.EN, e.DisplayName.EN),
		params: append(paramRefs("id"), paramRefs(queryParams...)...),
		ok:     object{"200": response("A page of related records.", schemaRef(n.To.Name+"_collection"))},
		errors: []int{400, 401, 403, 404, 429},
	}.build()}
	if n.Kind != metadata.NavManyToMany || e.ReadOnly() || n.To.ReadOnly() {
		return
	}
	paths[base+"/$ref"] = object{"post": operation{
		id: id + ".ref.add", tag: e.SetName, summary: fmt.Sprintf("Link %s to %s", n.To.DisplayName.EN, e.DisplayName.EN),
		params: paramRefs("id"),
		body:   body(schemaRef("EntityReference")),
		ok:     object{"204": response("Linked.", nil)},
		errors: []int{400, 401, 403, 404, 409, 429},
	}.build()}
	paths[base+"({related_id})/$ref"] = object{"delete": operation{
		id: id + ".ref.remove", tag: e.SetName, summary: fmt.Sprintf("Unlink %s from %s", n.To.DisplayName.EN, e.DisplayName.EN),
		params: paramRefs("id", "related_id"),
		ok:     object{"204": response("Unlinked.", nil)},
		errors: []int{401, 403, 404, 429},
	}.build()}
}
