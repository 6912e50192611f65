package apidoc

const tagViews = "Views"

// addViewPaths adds the saved list views under /views.
func addViewPaths(paths object) {
	id := pathParam("view_id", "Saved view id (UUID).", uuidSchema)
	errs := []int{400, 401, 403, 404, 409, 429}
	paths["/views"] = object{
		"get": operation{id: "listViews", tag: tagViews, summary: "The caller's saved views of an entity set and the shared ones",
			description: "The caller's own views first, then those other users shared, each by name. Needs read on the entity.",
			params:      []any{queryParam("entity", "The entity set, e.g. `accounts`.", stringSchema)},
			ok:          object{"200": response("The views.", listOf("SavedView"))}, errors: []int{400, 401, 403, 429}}.build(),
		"post": operation{id: "createView", tag: tagViews, summary: "Save a list view",
			description: "The caller owns it. The name is unique per owner and entity (`409 duplicate_name`); the filter, columns and order must name attributes of the entity (`400` with the field as target).",
			body:        body(schemaRef("SavedViewCreate")),
			ok:          object{"201": response("Saved.", schemaRef("SavedView"), "Location")}, errors: errs}.build(),
	}
	paths["/views/{view_id}"] = object{
		"get": operation{id: "getView", tag: tagViews, summary: "Get a saved view (own or shared)", params: []any{id},
			ok: object{"200": response("The view.", schemaRef("SavedView"))}, errors: []int{401, 403, 404, 429}}.build(),
		"patch": operation{id: "updateView", tag: tagViews, summary: "Change a saved view (its owner or an administrator)",
			description: "Fields left out keep their value. Another user's shared view answers `403 not_owner`, their personal one `404`.",
			params:      []any{id}, body: body(schemaRef("SavedViewUpdate")),
			ok: object{"200": response("The view.", schemaRef("SavedView"))}, errors: errs}.build(),
		"delete": operation{id: "deleteView", tag: tagViews, summary: "Delete a saved view (its owner or an administrator)", params: []any{id},
			ok: object{"204": response("Deleted.", nil)}, errors: []int{401, 403, 404, 429}}.build(),
	}
}

// viewSchemas are the shapes of the saved views endpoints.
func viewSchemas() object {
	when := object{"type": "string", "format": "date-time"}
	boolean := object{"type": "boolean"}
	props := func() object {
		return object{
			"name":         stringSchema,
			"filter_model": object{"description": "The web client's filter builder model (any JSON, kept as given)."},
			"filter":       object{"type": "string", "description": "The `$filter` the view applies."},
			"columns":      arrayOf(stringSchema),
			"order_by":     object{"type": "string", "description": "The `$orderby` the view applies."},
			"shared":       object{"type": "boolean", "description": "Visible, read only, to every user who may read the entity."},
			"is_default":   object{"type": "boolean", "description": "The owner's default view of the entity (one per owner and entity)."},
		}
	}
	view := props()
	extra := object{"id": uuidSchema, "entity": stringSchema, "owner_id": uuidSchema, "mine": boolean,
		"created_at": when, "modified_at": when}
	for k, v := range extra {
		view[k] = v
	}
	create := props()
	create["entity"] = object{"type": "string", "description": "The entity set, e.g. `accounts`."}
	return object{
		"SavedView": objectSchema(view, "id", "entity", "name", "filter", "columns", "order_by", "shared", "is_default",
			"owner_id", "mine", "created_at", "modified_at"),
		"SavedViewCreate": objectSchema(create, "entity", "name"),
		"SavedViewUpdate": objectSchema(props()),
	}
}
