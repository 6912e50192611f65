package apidoc

import "github.com/meridian-crm/meridian/internal/metadata"

// addKnowledgePaths adds the knowledge base: the workflow actions of knowledge articles, the
// knowledge base search, and on cases the suggested articles and use_article (internal/service;
// served by internal/api/actions.go and knowledge.go).
func addKnowledgePaths(paths, schemas object, m *metadata.Model) {
	ka, cs := m.Entity("knowledge_article"), m.Entity("case")
	if ka == nil {
		return
	}
	base := "/" + ka.SetName + "({id})/"
	params := paramRefs("id", "if_match")
	errs := []int{400, 401, 403, 404, 409, 412, 429}
	record := object{"200": response("The article after the action.", schemaRef(ka.Name))}
	step := func(name, summary, description string, b object) {
		op := operation{id: ka.Name + "." + name, tag: ka.SetName, summary: summary, description: description, params: params, ok: record, errors: errs}
		if b != nil {
			op.body = b
		}
		paths[base+name] = object{"post": op.build()}
	}
	step("submit", "Submit a draft article for review (status review)", "409 invalid_transition unless the article is a draft.", nil)
	publish := "Status published, published_at now; the version of the same root article published before is archived. " +
		"Needs the right to update knowledge articles, and the caller may not be the author (created_by) of the version unless a tenant administrator " +
		"(403 own_article). 409 invalid_transition unless the article is in review."
	step("approve", "Approve (publish) an article in review", publish, nil)
	step("publish", "Publish an article in review (the same as approve)", publish, nil)
	step("reject", "Send an article in review back to draft with a comment", "The comment is kept in review_comment. 409 invalid_transition unless in review.",
		body(objectSchema(object{"comment": stringSchema}, "comment")))
	step("archive", "Archive a published article", "409 invalid_transition unless published.", nil)
	paths[base+"new_version"] = object{"post": operation{
		id: ka.Name + ".new_version", tag: ka.SetName, summary: "Make a new draft version of a published article",
		description: "Copies title, content, keywords and language into a new draft with the next version_number and root_article_id set to the root article. " +
			"The published version stays live until the new one is approved. A published or archived article is never edited in place (409 article_published); " +
			"status and version fields change only through these actions (409 status_by_action). 409 invalid_transition unless published, " +
			"version_in_progress when a version of the same root is a draft or in review.",
		params: paramRefs("id"), ok: object{"200": response("The new version.", schemaRef(ka.Name))}, errors: errs,
	}.build()}
	paths["/"+ka.SetName+"/$search"] = object{"get": operation{
		id: ka.Name + ".search", tag: ka.SetName, summary: "Search the knowledge base (published articles)",
		description: "Full-text search of published articles in English and Chinese for a question typed in full: an article matching any of the words is found, " +
			"and those matching more of them, and rarer ones, rank first; a word in the title or keywords counts more than one in the content. " +
			"Common English words (the, my, after…) are ignored. Drafts and archived versions are not returned (the global /search shows them to their readers).",
		params: []any{
			object{"name": "q", "in": "query", "required": true, "description": "The question or words to search for.", "schema": stringSchema},
			queryParam("language", "Only articles in this language.", object{"type": "string", "enum": []any{"en", "zh"}}),
			queryParam("top", "How many results to return (1–100, default 20).", object{"type": "integer", "minimum": 1, "maximum": 100}),
		},
		ok:     object{"200": response("The best matches, best first.", listOf("SearchHit"))},
		errors: []int{400, 401, 403, 429},
	}.build()}
	if cs == nil {
		return
	}
	cbase := "/" + cs.SetName + "({id})/"
	paths[cbase+"suggested_articles"] = object{"get": operation{
		id: cs.Name + ".suggested_articles", tag: cs.SetName, summary: "Knowledge articles suggested for a case",
		description: "Published articles ranked by (a) a search of the case's title and description in the knowledge base and (b) the articles linked to the " +
			"resolved cases most similar to this one, weighted by similarity and by how many of them each article answered. Articles in another language " +
			"than the case contact's preferred language count half. Everything is read as the caller.",
		params: []any{paramRefs("id")[0], queryParam("top", "How many suggestions (1–100, default 5).", object{"type": "integer", "minimum": 1, "maximum": 100})},
		ok:     object{"200": response("The suggestions, best first.", objectSchema(object{"value": arrayOf(schemaRef("ArticleSuggestion"))}, "value"))},
		errors: []int{400, 401, 403, 404, 429},
	}.build()}
	paths[cbase+"use_article"] = object{"post": operation{
		id: cs.Name + ".use_article", tag: cs.SetName, summary: "Link a published article that answered the case",
		description: "Associates the article with the case (the knowledge_articles relationship) and, with a note, adds a note regarding the case naming the article, " +
			"in one transaction. Linking twice is not an error. 409 article_not_published.",
		params: paramRefs("id"),
		body:   body(objectSchema(object{"article_id": uuidSchema, "note": stringSchema}, "article_id")),
		ok:     object{"200": response("The article.", schemaRef(ka.Name))}, errors: errs,
	}.build()}
	schemas["ArticleSuggestion"] = objectSchema(object{
		"id": uuidSchema, "title": stringSchema, "article_number": stringSchema,
		"language":     object{"type": "string", "enum": []any{"en", "zh"}},
		"snippet":      object{"type": "string", "description": "An excerpt of the matching text, when the case's text matched."},
		"score":        object{"type": "number", "description": "Relevance; higher is better. Comparable within one response only."},
		"reasons":      arrayOf(object{"type": "string", "enum": []any{"matches_text", "solved_similar_cases"}}),
		"solved_cases": object{"type": "integer", "description": "How many similar resolved cases were answered with the article."},
		"reason":       object{"type": "string", "description": "The reasons in English, e.g. `solved 2 similar cases; matches text`."},
		"linked":       object{"type": "boolean", "description": "The article is linked to the case already."},
	}, "id", "title", "score", "reasons", "solved_cases", "reason", "linked")
}
