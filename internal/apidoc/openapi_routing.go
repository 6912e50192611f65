package apidoc

// addRoutingPaths adds the bulk application of the assignment rules (the per-record actions are
// bound actions of leads and cases, in addProcessPaths).
func addRoutingPaths(paths object, schemas object) {
	paths["/assignment_rules/$apply"] = object{"post": operation{
		id: "assignment_rule.apply", tag: "assignment_rules", summary: "Apply the assignment rules to many leads or cases",
		description: "Routes, as POST <set>(<id>)/route does, each lead or case the filter selects that the caller may read " +
			"(oldest first, at most 1,000), each in its own transaction. Records no active rule matches are counted as unmatched, " +
			"records the caller may not assign as denied. 400 not_routable (target entity) for other entities.",
		body: body(objectSchema(object{"entity": object{"type": "string", "enum": []any{"lead", "case"}},
			"filter": object{"type": "string", "description": "An OData $filter over the entity; empty: every record."}}, "entity")),
		ok:     object{"200": response("What was done.", schemaRef("RoutingSummary"))},
		errors: []int{400, 401, 403, 429},
	}.build()}
	n := object{"type": "integer"}
	schemas["RoutingSummary"] = objectSchema(object{"routed": n, "unmatched": n, "denied": n}, "routed", "unmatched", "denied")
}
