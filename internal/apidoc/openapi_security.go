package apidoc

import "github.com/meridian-crm/meridian/internal/metadata"

const tagSecurity = "Security"

// addSecurityPaths adds the security model's management endpoints under /security.
func addSecurityPaths(paths object) {
	adminErrs := []int{400, 401, 403, 404, 409, 429}
	role := pathParam("role_id", "Security role id (UUID).", uuidSchema)
	profile := pathParam("profile_id", "Field security profile id (UUID).", uuidSchema)
	principal := pathParam("principal_id", "A user's or team's id (UUID).", uuidSchema)
	paths["/security/me"] = object{"get": operation{
		id: "securityMe", tag: tagSecurity, summary: "What the security model grants the caller",
		description: "The caller's administrator flag, business unit, teams and privileges (entity → privilege → depth).",
		ok:          object{"200": response("The caller's grants.", schemaRef("SecurityDescription"))},
		errors:      []int{401, 403, 429},
	}.build()}
	paths["/security/users"] = object{"post": operation{
		id: "createUser", tag: tagSecurity, summary: "Create a user with a password and roles (administrators)",
		description: "The user record (through the records service, audited), its password (checked against the password policy: " +
			"`400 weak_password`, target `password`) and its security roles (`400 role_not_found`, target `roles`) are written in one " +
			"transaction: a refusal leaves nothing behind. Without `business_unit_id` the user joins the root business unit.",
		body: body(objectSchema(object{"email": stringSchema, "full_name": stringSchema, "password": stringSchema,
			"business_unit_id": uuidSchema, "roles": arrayOf(uuidSchema)}, "email", "full_name", "password")),
		ok: object{"201": response("Created.", schemaRef("user"), "Location")}, errors: adminErrs,
	}.build()}
	paths["/security/roles"] = object{
		"get": operation{id: "listRoles", tag: tagSecurity, summary: "List security roles",
			ok: object{"200": response("The tenant's roles.", listOf("Role"))}, errors: []int{401, 403, 429}}.build(),
		"post": operation{id: "createRole", tag: tagSecurity, summary: "Create a security role (administrators)",
			description: "The role and its privileges are created in one transaction.",
			body:        body(schemaRef("RoleCreate")),
			ok:          object{"201": response("Created.", schemaRef("Role"), "Location")}, errors: adminErrs}.build(),
	}
	paths["/security/roles/{role_id}"] = object{
		"get": operation{id: "getRole", tag: tagSecurity, summary: "Get a security role", params: []any{role},
			ok: object{"200": response("The role.", schemaRef("Role"))}, errors: []int{401, 403, 404, 429}}.build(),
		"delete": operation{id: "deleteRole", tag: tagSecurity, summary: "Delete a security role (administrators)", params: []any{role},
			ok: object{"204": response("Deleted, with its privileges and assignments.", nil)}, errors: adminErrs}.build(),
	}
	paths["/security/roles/{role_id}/privileges"] = object{"put": operation{
		id: "setRolePrivileges", tag: tagSecurity, summary: "Replace a role's privileges (administrators)", params: []any{role},
		body: body(objectSchema(object{"privileges": arrayOf(schemaRef("Grant"))}, "privileges")),
		ok:   object{"200": response("The role.", schemaRef("Role"))}, errors: adminErrs,
	}.build()}
	paths["/security/roles/{role_id}/members"] = object{
		"get": operation{id: "listRoleMembers", tag: tagSecurity, summary: "The users and owner teams holding a role", params: []any{role},
			ok:     object{"200": response("Their ids.", object{"type": "object", "properties": object{"value": arrayOf(uuidSchema)}})},
			errors: []int{401, 403, 404, 429}}.build(),
		"post": operation{id: "addRoleMember", tag: tagSecurity, summary: "Give a user or owner team a role (administrators)", params: []any{role},
			body: body(schemaRef("PrincipalRef")), ok: object{"204": response("Given.", nil)}, errors: adminErrs}.build(),
	}
	paths["/security/roles/{role_id}/members/{principal_id}"] = object{"delete": operation{
		id: "removeRoleMember", tag: tagSecurity, summary: "Take a role from a user or team (administrators)", params: []any{role, principal},
		ok: object{"204": response("Taken.", nil)}, errors: adminErrs,
	}.build()}
	paths["/security/access-team-templates"] = object{
		"get": operation{id: "listAccessTeamTemplates", tag: tagSecurity, summary: "List access team templates",
			ok: object{"200": response("The templates.", listOf("AccessTeamTemplate"))}, errors: []int{401, 403, 429}}.build(),
		"post": operation{id: "createAccessTeamTemplate", tag: tagSecurity, summary: "Create an access team template (administrators)",
			body: body(objectSchema(object{"name": stringSchema, "entity": stringSchema, "rights": arrayOf(schemaRef("Right"))}, "name", "entity", "rights")),
			ok:   object{"201": response("Created.", schemaRef("AccessTeamTemplate"))}, errors: adminErrs}.build(),
	}
	paths["/security/field-profiles"] = object{
		"get": operation{id: "listFieldProfiles", tag: tagSecurity, summary: "List field security profiles",
			ok: object{"200": response("The profiles.", listOf("FieldProfile"))}, errors: []int{401, 403, 429}}.build(),
		"post": operation{id: "createFieldProfile", tag: tagSecurity, summary: "Create a field security profile (administrators)",
			body: body(objectSchema(object{"name": stringSchema, "description": stringSchema,
				"permissions": arrayOf(schemaRef("FieldPermission"))}, "name")),
			ok: object{"201": response("Created.", schemaRef("FieldProfile"), "Location")}, errors: adminErrs}.build(),
	}
	paths["/security/field-profiles/{profile_id}"] = object{"get": operation{
		id: "getFieldProfile", tag: tagSecurity, summary: "Get a field security profile", params: []any{profile},
		ok: object{"200": response("The profile.", schemaRef("FieldProfile"))}, errors: []int{401, 403, 404, 429},
	}.build()}
	paths["/security/field-profiles/{profile_id}/permissions"] = object{"put": operation{
		id: "setFieldPermissions", tag: tagSecurity, summary: "Replace a profile's field permissions (administrators)", params: []any{profile},
		body: body(objectSchema(object{"permissions": arrayOf(schemaRef("FieldPermission"))}, "permissions")),
		ok:   object{"200": response("The profile.", schemaRef("FieldProfile"))}, errors: adminErrs,
	}.build()}
	paths["/security/field-profiles/{profile_id}/members"] = object{"post": operation{
		id: "addFieldProfileMember", tag: tagSecurity, summary: "Give a user or team a field security profile (administrators)",
		params: []any{profile}, body: body(schemaRef("PrincipalRef")), ok: object{"204": response("Given.", nil)}, errors: adminErrs,
	}.build()}
	paths["/security/field-profiles/{profile_id}/members/{principal_id}"] = object{"delete": operation{
		id: "removeFieldProfileMember", tag: tagSecurity, summary: "Take a field security profile from a user or team (administrators)",
		params: []any{profile, principal}, ok: object{"204": response("Taken.", nil)}, errors: adminErrs,
	}.build()}
}

// addRecordSecurityPaths adds the actions that change who may access one record of e: assign,
// shares and access team members (user-owned, writable entities only).
func addRecordSecurityPaths(paths object, e *metadata.Entity) {
	if e.ReadOnly() || e.OrganizationOwned() {
		return
	}
	tag, one := e.SetName, e.DisplayName.EN
	base := "/" + e.SetName + "({id})/"
	id := paramRefs("id")
	errs := []int{400, 401, 403, 404, 429}
	paths[base+"assign"] = object{"post": operation{
		id: e.Name + ".assign", tag: tag, summary: "Give " + one + " to a user or owner team",
		description: "Needs the assign privilege on the record.", params: id,
		body: body(objectSchema(object{"owner_id": uuidSchema}, "owner_id")),
		ok:   object{"200": response("The record.", schemaRef(e.Name))}, errors: errs,
	}.build()}
	paths[base+"shares"] = object{
		"get": operation{id: e.Name + ".shares", tag: tag, summary: "List the shares of " + one, params: id,
			ok: object{"200": response("The shares, expired ones included.", listOf("Share"))}, errors: errs}.build(),
		"post": operation{id: e.Name + ".share", tag: tag, summary: "Share " + one + " with a user or team",
			description: "Needs the share privilege on the record and every right granted; replaces an earlier share with the same principal.",
			params:      id, body: body(schemaRef("ShareRequest")), ok: object{"204": response("Shared.", nil)}, errors: errs}.build(),
	}
	paths[base+"unshare"] = object{"post": operation{
		id: e.Name + ".unshare", tag: tag, summary: "Revoke a share of " + one, params: id,
		body: body(schemaRef("PrincipalRef")), ok: object{"204": response("Revoked.", nil)}, errors: errs,
	}.build()}
	paths[base+"access_team_members"] = object{
		"get": operation{id: e.Name + ".accessTeamMembers", tag: tag, summary: "List the access team members of " + one, params: id,
			ok: object{"200": response("The members, expired ones included.", listOf("AccessTeamMember"))}, errors: errs}.build(),
		"post": operation{id: e.Name + ".addAccessTeamMember", tag: tag, summary: "Add a user to an access team of " + one, params: id,
			body: body(schemaRef("AccessTeamMemberRequest")), ok: object{"204": response("Added.", nil)}, errors: errs}.build(),
	}
	paths[base+"remove_access_team_member"] = object{"post": operation{
		id: e.Name + ".removeAccessTeamMember", tag: tag, summary: "Remove a user from an access team of " + one, params: id,
		body: body(objectSchema(object{"template_id": uuidSchema, "user_id": uuidSchema}, "template_id", "user_id")),
		ok:   object{"204": response("Removed.", nil)}, errors: errs,
	}.build()}
}

// securitySchemas are the shapes of the security endpoints.
func securitySchemas() object {
	depth := object{"type": "string", "enum": []any{"none", "user", "business_unit", "parent_child", "organization"}}
	privilege := object{"type": "string", "enum": []any{"create", "read", "write", "delete", "append", "append_to", "assign", "share"}}
	when := object{"type": "string", "format": "date-time"}
	grant := objectSchema(object{"entity": object{"type": "string", "description": "Entity name, or `*` for every entity."},
		"privilege": privilege, "depth": depth}, "entity", "privilege", "depth")
	return object{
		"Grant": grant,
		"Right": object{"type": "string", "enum": []any{"read", "write", "delete", "append", "append_to", "assign", "share"}},
		"Role": objectSchema(object{"id": uuidSchema, "name": stringSchema, "description": stringSchema,
			"is_admin": object{"type": "boolean"}, "privileges": arrayOf(schemaRef("Grant")), "created_at": when},
			"id", "name", "is_admin", "privileges"),
		"RoleCreate": objectSchema(object{"name": stringSchema, "description": stringSchema, "is_admin": object{"type": "boolean"},
			"privileges": arrayOf(schemaRef("Grant"))}, "name"),
		"PrincipalRef": objectSchema(object{"principal_id": uuidSchema}, "principal_id"),
		"SecurityDescription": objectSchema(object{"user_id": uuidSchema, "is_admin": object{"type": "boolean"},
			"is_disabled": object{"type": "boolean"}, "business_unit_id": uuidSchema, "teams": arrayOf(uuidSchema),
			"privileges": object{"type": "object", "additionalProperties": object{"type": "object", "additionalProperties": depth}}},
			"is_admin", "teams", "privileges"),
		"AccessTeamTemplate": objectSchema(object{"id": uuidSchema, "name": stringSchema, "entity": stringSchema,
			"rights": arrayOf(schemaRef("Right")), "created_at": when}, "id", "name", "entity", "rights"),
		"FieldPermission": objectSchema(object{"entity": stringSchema, "attribute": stringSchema,
			"read": object{"type": "boolean"}, "create": object{"type": "boolean"}, "update": object{"type": "boolean"}}, "entity", "attribute"),
		"FieldProfile": objectSchema(object{"id": uuidSchema, "name": stringSchema, "description": stringSchema,
			"permissions": arrayOf(schemaRef("FieldPermission")), "members": arrayOf(uuidSchema), "created_at": when},
			"id", "name", "permissions", "members"),
		"Share": objectSchema(object{"principal_id": uuidSchema, "principal_type": object{"type": "string", "enum": []any{"user", "team"}},
			"rights": arrayOf(schemaRef("Right")), "expires_at": when, "shared_by": uuidSchema, "shared_at": when},
			"principal_id", "principal_type", "rights", "shared_at"),
		"ShareRequest": objectSchema(object{"principal_id": uuidSchema, "rights": arrayOf(schemaRef("Right")),
			"expires_at": object{"type": "string", "format": "date-time", "description": "The share ends at this instant; absent: until revoked."}},
			"principal_id", "rights"),
		"AccessTeamMember": objectSchema(object{"template_id": uuidSchema, "user_id": uuidSchema, "expires_at": when, "added_at": when},
			"template_id", "user_id", "added_at"),
		"AccessTeamMemberRequest": objectSchema(object{"template_id": uuidSchema, "user_id": uuidSchema,
			"expires_at": object{"type": "string", "format": "date-time", "description": "Membership ends at this instant; absent: until removed."}},
			"template_id", "user_id"),
	}
}
