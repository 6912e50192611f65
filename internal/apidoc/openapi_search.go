package apidoc

const tagSearch = "Search"

// addSearchPaths adds the global search.
func addSearchPaths(paths object, schemas object) {
	paths["/search"] = object{"get": operation{
		id: "search", tag: tagSearch, summary: "Search records across entities",
		description: "Full-text search over the searchable text of every entity (primary name, text, e-mail, phone and URL attributes, alternate keys) " +
			"in English and Chinese: Latin words match whole (the last word of q also as a prefix), Chinese text matches by characters and pairs of characters. " +
			"Results are ranked across entities (a match in the title counts more) and include only records the caller may read; " +
			"attributes under field-level security are not searched. When no record holds every word of a query of several words, " +
			"the records holding the most (and rarest) of them are answered instead, marked `\"match\":\"any\"`.",
		params: []any{
			object{"name": "q", "in": "query", "required": true, "description": "The search text.", "schema": stringSchema},
			queryParam("entities", "Comma-separated entity sets to search, e.g. `accounts,contacts` (an entity's name, or its set name without underscores such as `knowledgearticles`, also names it; default: every searchable entity the caller may read).", stringSchema),
			queryParam("top", "How many results to return (1–100, default 20).", object{"type": "integer", "minimum": 1, "maximum": 100}),
		},
		ok:     object{"200": response("The best matches, best first.", schemaRef("SearchResult"))},
		errors: []int{400, 401, 403, 429},
	}.build()}
	schemas["SearchResult"] = objectSchema(object{
		"value": arrayOf(schemaRef("SearchHit")),
		"match": object{"type": "string", "enum": []any{"any"},
			"description": "`any`: no record held every word; these hold some of them. Absent when every hit holds every word."},
	}, "value")
	schemas["SearchHit"] = objectSchema(object{
		"entity":  object{"type": "string", "description": "Entity name, e.g. `account`."},
		"set":     object{"type": "string", "description": "Entity set, e.g. `accounts`: the record is at /{set}({id})."},
		"id":      uuidSchema,
		"title":   object{"type": "string", "description": "The record's primary name."},
		"snippet": object{"type": "string", "description": "An excerpt of the matching text other than the title, when there is one."},
		"score":   object{"type": "number", "description": "Relevance; higher is better. Comparable within one response only."},
	}, "entity", "set", "id", "title", "score")
}
