package apidoc

import (
	"slices"

	"github.com/meridian-crm/meridian/internal/metadata"
)

const tagDuplicates = "Duplicates"

// dedupeEntities are the entities with duplicate detection and merge (internal/dedupe).
var dedupeEntities = []string{"account", "contact", "lead"}

// createNote says how a create of e answers possible duplicates ("" for entities without
// duplicate detection).
func createNote(e *metadata.Entity) string {
	if !slices.Contains(dedupeEntities, e.Name) {
		return ""
	}
	return "The new record carries the instance annotation `@meridian.duplicates`: the records the duplicate-detection rules match " +
		"(DuplicateCandidate, best first; an empty list when none). With `Prefer: meridian.duplicate-check=strict` a record that has candidates " +
		"is not created: `409 duplicate`, one detail per candidate (`duplicate_candidate`, its id as target)."
}

// addDuplicatePaths adds duplicate detection, the rules, merge and undo (internal/dedupe;
// served by internal/api/duplicates.go and the merge bound action).
func addDuplicatePaths(paths, schemas object, m *metadata.Model) {
	errs := []int{400, 401, 403, 404, 409, 412, 429}
	for _, name := range dedupeEntities {
		e := m.Entity(name)
		if e == nil {
			continue
		}
		paths["/"+e.SetName+"/$duplicates"] = object{"post": operation{
			id: e.Name + ".duplicates", tag: tagDuplicates, summary: "Find possible duplicates of a " + e.DisplayName.EN,
			description: "The body holds the record's values (as for a create), or `id` names a stored record (other values in the body override its own; " +
				"the record itself is left out). Candidates come from the entity's duplicate-detection rules and only those the caller may read are returned, best first.",
			body: body(object{"type": "object", "properties": object{"id": uuidSchema}, "additionalProperties": true}),
			ok:   object{"200": response("The candidates.", listOf("DuplicateCandidate"))}, errors: []int{400, 401, 403, 404, 429},
		}.build()}
		paths["/"+e.SetName+"({id})/merge"] = object{"post": operation{
			id: e.Name + ".merge", tag: e.SetName, summary: "Merge other " + e.DisplayName.EN + " records into this one",
			description: "In one transaction: every lookup in the model that points at a merged record (activities' regarding included) is repointed to this one, " +
				"their N:N links, shares and access-team memberships move to it, the chosen field values are copied and the merged records are deleted — each write audited. " +
				"Needs write on this record and delete on the merged ones. The answer's id undoes it with POST /merges/{merge_id}/undo within the undo window (24 hours by default).",
			params: paramRefs("id", "if_match"),
			body:   body(schemaRef("MergeRequest")),
			ok:     object{"200": response("The merge.", schemaRef("Merge"))}, errors: errs,
		}.build()}
	}
	entity := pathParam("entity", "The entity (or its set): account, contact or lead.", stringSchema)
	rules := object{"200": response("The rules.", schemaRef("DuplicateRules"))}
	paths["/duplicaterules/{entity}"] = object{
		"get": operation{id: "getDuplicateRules", tag: tagDuplicates, summary: "The duplicate-detection rules of an entity (the built-in ones unless changed)",
			params: []any{entity}, ok: rules, errors: []int{401, 404, 429}}.build(),
		"put": operation{id: "putDuplicateRules", tag: tagDuplicates, summary: "Replace the duplicate-detection rules of an entity (administrators)",
			description: "The key index of the entity is rebuilt in the same transaction. An empty list turns detection off.",
			params:      []any{entity}, body: body(schemaRef("DuplicateRules")), ok: rules, errors: []int{400, 401, 403, 404, 429}}.build(),
		"delete": operation{id: "resetDuplicateRules", tag: tagDuplicates, summary: "Go back to the built-in rules of an entity (administrators)",
			params: []any{entity}, ok: rules, errors: []int{401, 403, 404, 429}}.build(),
	}
	mergeID := pathParam("merge_id", "Merge id (UUID).", uuidSchema)
	paths["/merges/{merge_id}"] = object{"get": operation{id: "getMerge", tag: tagDuplicates, summary: "A merge",
		params: []any{mergeID}, ok: object{"200": response("The merge.", schemaRef("Merge"))}, errors: []int{401, 404, 429}}.build()}
	paths["/merges/{merge_id}/undo"] = object{"post": operation{id: "undoMerge", tag: tagDuplicates, summary: "Undo a merge",
		description: "Restores the merged records with their ids and values, moves lookups, links and grants back and gives the survivor its values before. " +
			"409 `undo_window_passed` after the window, `changed_since_merge` when the survivor was changed after the merge, `merge_undone` when done already.",
		params: []any{mergeID}, ok: object{"200": response("The merge, undone.", schemaRef("Merge"))}, errors: []int{401, 403, 404, 409, 429}}.build()}
	for k, v := range duplicateSchemas() {
		schemas[k] = v
	}
}

// duplicateSchemas are the shapes of the duplicate endpoints.
func duplicateSchemas() object {
	strs := arrayOf(stringSchema)
	count := object{"type": "integer"}
	when := object{"type": "string", "format": "date-time"}
	return object{
		"DuplicateCandidate": objectSchema(object{
			"id": uuidSchema, "name": stringSchema,
			"score":  object{"type": "number", "description": "1 for an exact match, else the name similarity (0–1)."},
			"rules":  strs,
			"fields": strs,
		}, "id", "name", "score", "rules", "fields"),
		"DuplicateRule": objectSchema(object{
			"name":         stringSchema,
			"match":        object{"type": "string", "enum": []any{"email", "phone", "domain", "name", "company"}},
			"attributes":   strs,
			"also":         object{"type": "array", "items": stringSchema, "description": "Attributes that must be equal too."},
			"threshold":    object{"type": "number", "minimum": 0, "maximum": 1, "description": "Least name similarity (default 0.8)."},
			"country_code": object{"type": "string", "description": "Default country code of a phone rule, e.g. `+86`."},
		}, "name", "match", "attributes"),
		"DuplicateRules": objectSchema(object{"entity": stringSchema, "rules": arrayOf(schemaRef("DuplicateRule"))}, "rules"),
		"MergeRequest": objectSchema(object{
			"merge": arrayOf(uuidSchema),
			"fields": object{"type": "object", "additionalProperties": uuidSchema,
				"description": "Per attribute, the id of the record (this one or a merged one) whose value this record keeps."},
		}, "merge"),
		"Merge": objectSchema(object{
			"id": uuidSchema, "entity": stringSchema, "survivor_id": uuidSchema, "merged_ids": arrayOf(uuidSchema),
			"merged_at": when, "undo_until": when, "undone_at": when,
			"moved": objectSchema(object{"references": count, "links": count, "grants": count}, "references", "links", "grants"),
		}, "id", "entity", "survivor_id", "merged_ids", "merged_at", "undo_until", "moved"),
	}
}
