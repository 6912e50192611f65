package apidoc

// addServicePaths adds the paths that do not depend on the model: batch, the CSDL document,
// sign-in, metadata administration and health probes.
func addServicePaths(paths object) {
	paths["/$batch"] = object{"post": operation{
		id: "batch", tag: tagService, summary: "Run a batch of requests",
		description: "OData batch in the JSON format (application/json) or as multipart/mixed. " +
			"Requests of one atomicity group (or one multipart change set) run in one transaction.",
		body: object{"required": true, "content": object{
			"application/json": object{"schema": schemaRef("BatchRequest")},
			"multipart/mixed":  object{"schema": object{"type": "string"}},
		}},
		ok: object{"200": object{"description": "One response per request.", "content": object{
			"application/json": object{"schema": schemaRef("BatchResponse")},
			"multipart/mixed":  object{"schema": object{"type": "string"}},
		}}},
		errors: []int{400, 401, 413, 429},
	}.build()}

	paths["/$metadata"] = object{"get": operation{
		id: "metadataDocument", tag: tagService, summary: "Get the OData CSDL document",
		description: "The entity data model (EDMX/CSDL XML, OData v4) of every system and custom entity.",
		ok: object{"200": object{"description": "CSDL document.",
			"content": object{"application/xml": object{"schema": object{"type": "string"}}}}},
		errors: []int{401},
	}.build()}

	paths["/auth/login"] = object{"post": operation{
		id: "login", tag: tagAuth, summary: "Sign in with email and password", public: true,
		body:   body(schemaRef("LoginRequest")),
		ok:     object{"200": response("Signed in.", schemaRef("LoginResponse"))},
		errors: []int{400, 401, 429},
	}.build()}
	paths["/auth/mfa/verify"] = object{"post": operation{
		id: "verifyMFA", tag: tagAuth, summary: "Complete a sign-in with a second factor", public: true,
		body:   body(schemaRef("MFAVerifyRequest")),
		ok:     object{"200": response("Signed in.", schemaRef("LoginResponse"))},
		errors: []int{400, 401, 429},
	}.build()}

	paths["/auth/me"] = object{
		"get": operation{
			id: "getMe", tag: tagAuth, summary: "Who is signed in, with their preferences",
			ok:     object{"200": response("The caller.", schemaRef("Me"))},
			errors: []int{401, 429},
		}.build(),
		"patch": operation{
			id: "updateMe", tag: tagAuth, summary: "Set the signed-in person's own preferences",
			description: "Kept on the caller's user record (audited under their name), so that every browser and device " +
				"they sign in on starts with them. Needs no privilege on users; an API key or client credential may not.",
			body:   body(schemaRef("Preferences")),
			ok:     object{"200": response("The caller, with the new preferences.", schemaRef("Me"))},
			errors: []int{400, 401, 403, 429},
		}.build(),
	}

	paths["/auth/password"] = object{"post": operation{
		id: "changePassword", tag: tagAuth, summary: "Change the signed-in person's password",
		description: "Needs the current password, checked like a sign-in: a wrong one is `400 wrong_password` (target `current_password`) " +
			"and counts towards the sign-in lock (`429 account_locked`). The new one must pass the password policy (`400 weak_password`, " +
			"target `new_password`, the reason's code in `details`). The session of the call stays signed in; the user's other sessions " +
			"are revoked, and the API keys too with `revoke_api_keys`. An API key or client credential may not (`403 session_required`). " +
			"Audited as `credential_change`.",
		body: body(objectSchema(object{"current_password": stringSchema, "new_password": stringSchema,
			"revoke_api_keys": object{"type": "boolean", "description": "Revoke the user's API keys as well (default false)."}},
			"current_password", "new_password")),
		ok: object{"200": response("Changed.", objectSchema(object{
			"revoked_sessions": object{"type": "integer", "description": "The user's other sessions, signed out."},
			"revoked_api_keys": object{"type": "integer", "description": "The user's API keys revoked (revoke_api_keys)."},
			"api_keys":         object{"type": "integer", "description": "The user's API keys still valid."}},
			"revoked_sessions", "revoked_api_keys", "api_keys"))},
		errors: []int{400, 401, 403, 409, 429},
	}.build()}

	addDefinitionPaths(paths)

	// The probes live at the server root, not under /api/v1.
	root := []any{object{"url": "/", "description": "server root"}}
	paths["/healthz"] = object{"servers": root, "get": operation{
		id: "healthz", tag: tagHealth, summary: "Liveness probe", public: true,
		ok: object{"200": response("The process is running.", nil)},
	}.build()}
	paths["/readyz"] = object{"servers": root, "get": operation{
		id: "readyz", tag: tagHealth, summary: "Readiness probe", public: true,
		ok: object{
			"200": response("Ready to serve requests.", nil),
			"503": response("Not ready, e.g. the database is unreachable.", nil),
		},
	}.build()}
}

// addDefinitionPaths adds the metadata administration endpoints under /metadata.
func addDefinitionPaths(paths object) {
	writeErrs := []int{400, 401, 403, 404, 409, 429}
	name := param("entity_name")
	paths["/metadata/entities"] = object{
		"get": operation{
			id: "listEntityDefinitions", tag: tagMetadata, summary: "List entity definitions",
			ok:     object{"200": response("Every system and custom entity.", schemaRef("EntityDefinitionList"))},
			errors: []int{401, 403, 429},
		}.build(),
		"post": operation{
			id: "createEntityDefinition", tag: tagMetadata, summary: "Create a custom entity",
			description: "Creates the entity's table and makes it available at once in the API, $metadata and this document.",
			body:        body(schemaRef("EntityDefinition")),
			ok:          object{"201": response("Created.", schemaRef("EntityDefinition"), "Location")},
			errors:      []int{400, 401, 403, 409, 429},
		}.build(),
	}
	paths["/metadata/entities/{name}"] = object{
		"get": operation{
			id: "getEntityDefinition", tag: tagMetadata, summary: "Get an entity definition",
			params: []any{name},
			ok:     object{"200": response("The definition.", schemaRef("EntityDefinition"))},
			errors: []int{401, 403, 404, 429},
		}.build(),
		"patch": operation{
			id: "updateEntityDefinition", tag: tagMetadata, summary: "Change an entity definition",
			params: []any{name},
			body:   body(schemaRef("EntityDefinitionChange")),
			ok:     object{"200": response("The changed definition.", schemaRef("EntityDefinition"))},
			errors: writeErrs,
		}.build(),
		"delete": operation{
			id: "deleteEntityDefinition", tag: tagMetadata, summary: "Delete a custom entity and its records",
			params: []any{name},
			ok:     object{"204": response("Deleted.", nil)},
			errors: []int{401, 403, 404, 409, 429},
		}.build(),
	}
	paths["/metadata/entities/{name}/attributes"] = object{
		"get": operation{
			id: "listAttributeDefinitions", tag: tagMetadata, summary: "List the attributes of an entity",
			params: []any{name},
			ok:     object{"200": response("The attributes.", schemaRef("AttributeDefinitionList"))},
			errors: []int{401, 403, 404, 429},
		}.build(),
		"post": operation{
			id: "createAttributeDefinition", tag: tagMetadata, summary: "Add an attribute (a column) to an entity",
			params: []any{name},
			body:   body(schemaRef("AttributeDefinition")),
			ok:     object{"201": response("Created.", schemaRef("AttributeDefinition"), "Location")},
			errors: writeErrs,
		}.build(),
	}
	attrParams := []any{name, param("attribute_name")}
	paths["/metadata/entities/{name}/attributes/{attribute}"] = object{
		"patch": operation{
			id: "updateAttributeDefinition", tag: tagMetadata, summary: "Change an attribute",
			params: attrParams,
			body:   body(schemaRef("AttributeDefinitionChange")),
			ok:     object{"200": response("The changed attribute.", schemaRef("AttributeDefinition"))},
			errors: writeErrs,
		}.build(),
		"delete": operation{
			id: "deleteAttributeDefinition", tag: tagMetadata, summary: "Remove an attribute and its data",
			params: attrParams,
			ok:     object{"204": response("Deleted.", nil)},
			errors: []int{401, 403, 404, 409, 429},
		}.build(),
	}
	paths["/metadata/relationships"] = object{
		"get": operation{
			id: "listRelationshipDefinitions", tag: tagMetadata, summary: "List many-to-many relationships",
			ok:     object{"200": response("The relationships.", schemaRef("RelationshipDefinitionList"))},
			errors: []int{401, 403, 429},
		}.build(),
		"post": operation{
			id: "createRelationshipDefinition", tag: tagMetadata, summary: "Create a many-to-many relationship",
			body:   body(schemaRef("RelationshipDefinition")),
			ok:     object{"201": response("Created.", schemaRef("RelationshipDefinition"))},
			errors: []int{400, 401, 403, 409, 429},
		}.build(),
	}
}
