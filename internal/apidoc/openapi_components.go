package apidoc

import (
	"fmt"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// queryParams are the OData query options of a collection request, as parameter references.
var queryParams = []string{"filter", "select", "orderby", "top", "skip", "count", "expand", "apply",
	"skiptoken", "deltatoken", "prefer", "accept_language"}

func paramRefs(names ...string) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = param(n)
	}
	return out
}

func queryParam(name, description string, schema object) object {
	return object{"name": name, "in": "query", "required": false, "description": description, "schema": schema}
}

func pathParam(name, description string, schema object) object {
	return object{"name": name, "in": "path", "required": true, "description": description, "schema": schema}
}

var (
	stringSchema = object{"type": "string"}
	uuidSchema   = object{"type": "string", "format": "uuid"}
)

func commonParameters() object {
	str := func() object { return object{"type": "string"} }
	return object{
		"filter":  queryParam("$filter", "Filter expression, e.g. `city eq 'Shanghai' and revenue gt 1000000`.", str()),
		"select":  queryParam("$select", "Comma-separated properties to return, e.g. `name,city`.", str()),
		"orderby": queryParam("$orderby", "Comma-separated sort keys with optional asc/desc, e.g. `created_at desc`.", str()),
		"top":     queryParam("$top", "Maximum number of records to return.", object{"type": "integer", "minimum": 0}),
		"skip":    queryParam("$skip", "Number of records to skip.", object{"type": "integer", "minimum": 0}),
		"count":   queryParam("$count", "Include the total number of matching records in @odata.count.", object{"type": "boolean"}),
		"expand": queryParam("$expand", "Navigation properties to include, with nested options, "+
			"e.g. `primary_contact($select=full_name),contacts($top=5)`.", str()),
		"apply": queryParam("$apply", "Aggregation transformations, e.g. "+
			"`groupby((industry),aggregate(revenue with sum as total))`; rows then hold the grouped and aggregated properties.", str()),
		"skiptoken":  queryParam("$skiptoken", "Opaque paging token; use the @odata.nextLink as given.", str()),
		"deltatoken": queryParam("$deltatoken", "Opaque change-tracking token; use the @odata.deltaLink as given.", str()),
		"prefer": object{"name": "Prefer", "in": "header", "required": false, "schema": str(),
			"description": "Preferences: `return=representation` or `return=minimal`, `odata.maxpagesize=N`, " +
				"`odata.track-changes` (ask for a delta link), `odata.include-annotations=*`.",
			"examples": object{
				"representation": object{"value": "return=representation"},
				"pagesize":       object{"value": "odata.maxpagesize=100"},
				"trackChanges":   object{"value": "odata.track-changes"},
			}},
		"accept_language": object{"name": "Accept-Language", "in": "header", "required": false, "schema": str(),
			"description": "The reader's languages. When the preferred one is simplified Chinese (`zh`, `zh-CN`, " +
				"`zh-Hans`), `$orderby` sorts string, email and url properties in pinyin order (阿 < 北 < 成 < 张); " +
				"otherwise in the database's default order. Follow @odata.nextLink with the same header.",
			"examples": object{"chinese": object{"value": "zh-CN,zh;q=0.9"}}},
		"if_match": object{"name": "If-Match", "in": "header", "required": false, "schema": str(),
			"description": "ETag of the version the change is based on (the ETag header or @odata.etag); " +
				"the request fails with 412 when the record has changed since. `*` matches any version."},
		"id":         pathParam("id", "Record id (UUID).", uuidSchema),
		"related_id": pathParam("related_id", "Id of the related record (UUID).", uuidSchema),
		"entity_name": pathParam("name", "Entity name, e.g. `account`.",
			object{"type": "string", "pattern": "^[a-z][a-z0-9_]{0,47}$"}),
		"attribute_name": pathParam("attribute", "Attribute name, e.g. `industry`.",
			object{"type": "string", "pattern": "^[a-z][a-z0-9_]{0,47}$"}),
	}
}

func commonHeaders() object {
	h := func(description string, schema object) object {
		return object{"description": description, "schema": schema}
	}
	return object{
		"ETag":               h("Version tag of the record; send it back in If-Match.", object{"type": "string"}),
		"Location":           h("URL of the record.", object{"type": "string", "format": "uri-reference"}),
		"OData-EntityId":     h("URL of the record (with return=minimal).", object{"type": "string", "format": "uri-reference"}),
		"Preference-Applied": h("The preferences of the Prefer header that were honoured.", object{"type": "string"}),
		"Retry-After":        h("Seconds to wait before retrying.", object{"type": "integer", "minimum": 0}),
	}
}

func errorResponses() object {
	descriptions := map[int]string{
		400: "The request is malformed or breaks a rule; details name the fields at fault.",
		401: "Missing or invalid credentials.",
		403: "The caller lacks the privilege.",
		404: "The addressed record or resource does not exist or is not visible.",
		409: "The change conflicts with existing data (e.g. a duplicate alternate key).",
		412: "The If-Match ETag is stale: the record changed since it was read.",
		413: "The payload or batch is too large.",
		429: "Too many requests; retry after the given delay.",
	}
	out := object{}
	for code, name := range errorNames {
		r := response(descriptions[code], schemaRef("Error"))
		if code == 429 {
			r["headers"] = object{"Retry-After": ref("headers", "Retry-After")}
		}
		out[name] = r
	}
	return out
}

// objectSchema is a JSON object schema with properties and required names.
func objectSchema(props object, required ...string) object {
	s := object{"type": "object", "properties": props}
	if len(required) > 0 {
		r := make([]any, len(required))
		for i, n := range required {
			r[i] = n
		}
		s["required"] = r
	}
	return s
}

func arrayOf(items any) object { return object{"type": "array", "items": items} }

// listOf is the {"value": [...]} envelope the metadata endpoints answer lists with.
func listOf(schema string) object {
	return objectSchema(object{"value": arrayOf(schemaRef(schema))}, "value")
}

func commonSchemas() object {
	detail := object{
		"code":    object{"type": "string", "description": "Stable machine-readable code, e.g. `required`."},
		"message": object{"type": "string", "description": "Human-readable message."},
		"target":  object{"type": "string", "description": "The field, option or parameter at fault."},
	}
	errBody := object{"details": arrayOf(schemaRef("ErrorDetail"))}
	for k, v := range detail {
		errBody[k] = v
	}
	s := object{
		"ErrorDetail": objectSchema(detail, "code", "message"),
		"Error":       objectSchema(object{"error": objectSchema(errBody, "code", "message")}, "error"),
		"EntityReference": objectSchema(object{"@odata.id": object{"type": "string", "format": "uri-reference",
			"description": "URL of the record to link, absolute or relative to the service root, e.g. `contacts(0190c3a2-…)`."}},
			"@odata.id"),
		"LoginRequest": objectSchema(object{
			"email":    object{"type": "string", "format": "email"},
			"password": object{"type": "string", "format": "password"},
			"tenant":   object{"type": "string", "description": "Tenant slug, needed only when the email exists in several tenants."},
			"session": object{"type": "string", "enum": []any{"token", "cookie"},
				"description": "`cookie`: the session goes into the HttpOnly cookie `meridian_session` (web client; send `X-CSRF-Token` on unsafe requests)."},
		}, "email", "password"),
		"LoginResponse": objectSchema(object{
			"token":        object{"type": "string", "description": "Bearer token for the Authorization header (not in a cookie session)."},
			"token_type":   stringSchema,
			"expires_in":   object{"type": "integer"},
			"csrf_token":   object{"type": "string", "description": "Cookie session: the value of the X-CSRF-Token header."},
			"mfa_required": object{"type": "boolean", "description": "A second factor is needed: answer the challenge at /auth/mfa/verify."},
			"challenge":    stringSchema,
		}),
		"Me": objectSchema(object{
			"user_id":   stringSchema,
			"tenant_id": stringSchema,
			"name":      stringSchema,
			"method":    object{"type": "string", "description": "How the caller signed in: password, token, apikey, oauth…"},
			"admin":     object{"type": "boolean"},
			"scopes":    arrayOf(stringSchema),
			"session":   object{"type": "string", "description": "The cookie name, for a cookie session."},
			"language":  object{"type": "string", "enum": []any{"en", "zh"}, "description": "The person's UI language; absent until they choose one."},
		}, "user_id", "tenant_id"),
		"Preferences": objectSchema(object{
			"language": object{"type": "string", "enum": []any{"en", "zh"}},
		}),
		"MFAVerifyRequest": objectSchema(object{
			"challenge": stringSchema,
			"code":      object{"type": "string", "description": "A TOTP code or a recovery code."},
		}, "challenge", "code"),
		"BatchRequest": objectSchema(object{"requests": arrayOf(objectSchema(object{
			"id":             object{"type": "string"},
			"method":         object{"type": "string", "enum": []any{"GET", "POST", "PATCH", "PUT", "DELETE"}},
			"url":            object{"type": "string", "description": "Relative to the service root, e.g. `accounts?$top=5`."},
			"headers":        object{"type": "object", "additionalProperties": stringSchema},
			"body":           object{"description": "JSON request body."},
			"atomicityGroup": object{"type": "string", "description": "Requests of one group succeed or fail together."},
			"dependsOn":      arrayOf(stringSchema),
		}, "id", "method", "url"))}, "requests"),
		"BatchResponse": objectSchema(object{"responses": arrayOf(objectSchema(object{
			"id":      object{"type": "string"},
			"status":  object{"type": "integer"},
			"headers": object{"type": "object", "additionalProperties": stringSchema},
			"body":    object{"description": "JSON response body."},
		}, "id", "status"))}, "responses"),
	}
	for k, v := range definitionSchemas() {
		s[k] = v
	}
	return s
}

// definitionSchemas describe the metadata definitions read and written by /metadata, in the
// JSON form of metadata.Entity, metadata.Attribute and metadata.ManyToMany. The *Change
// schemas are the partial bodies of PATCH.
func definitionSchemas() object {
	name := object{"type": "string", "pattern": "^[a-z][a-z0-9_]{0,47}$"}
	label := schemaRef("Label")
	types := make([]any, len(metadata.Types))
	for i, t := range metadata.Types {
		types[i] = string(t)
	}
	attr := object{
		"name":         name,
		"type":         object{"type": "string", "enum": types},
		"display_name": label,
		"description":  stringSchema,
		"required":     object{"type": "boolean"},
		"unique":       object{"type": "boolean"},
		"max_length":   object{"type": "integer", "minimum": 1, "maximum": metadata.MaxStringLength},
		"min":          object{"type": "number"},
		"max":          object{"type": "number"},
		"scale":        object{"type": "integer", "minimum": 0, "maximum": 10},
		"default":      object{"description": "Default value, of the attribute's type."},
		"options":      arrayOf(schemaRef("Option")),
		"target":       object{"type": "string", "description": "Lookups: target entity name, or `*` for any entity."},
		"reverse_name": name,
		"format":       object{"type": "string", "description": "Autonumbers: e.g. `CAS-{seq:6}`."},
		"indexed":      object{"type": "boolean"},
		"secured":      object{"type": "boolean", "description": "Under field-level security: readable and settable only through a field security profile."},
		"read_only": object{"type": "boolean", "description": "Kept by the server — its actions and timers (a case's SLA fields, the day a lead was qualified): " +
			"creates, updates, upserts, imports and $batch may not set it (`400 read_only_field`). Shipped attributes only."},
	}
	ent := object{
		"name":           name,
		"set_name":       name,
		"display_name":   label,
		"plural_name":    label,
		"description":    stringSchema,
		"primary_name":   object{"type": "string", "description": "Attribute shown for the record."},
		"attributes":     arrayOf(schemaRef("AttributeDefinition")),
		"alternate_keys": arrayOf(schemaRef("AlternateKey")),
		"union":          object{"type": "array", "items": stringSchema, "readOnly": true},
		"custom":         object{"type": "boolean", "readOnly": true},
		"ownership": object{"type": "string", "enum": []any{"user", "organization"},
			"description": "user (default): records have an owner and roles grant access by depth; organization: records belong to the tenant."},
	}
	rel := object{
		"name":         name,
		"entity1":      name,
		"entity2":      name,
		"nav1":         name,
		"nav2":         name,
		"display_name": label,
		"custom":       object{"type": "boolean", "readOnly": true},
	}
	return object{
		"Label": objectSchema(object{"en": stringSchema, "zh": stringSchema}),
		"Option": objectSchema(object{"value": object{"type": "string", "minLength": 1, "maxLength": 100},
			"label": label}, "value", "label"),
		"AlternateKey":               objectSchema(object{"name": name, "attributes": arrayOf(name)}, "name", "attributes"),
		"AttributeDefinition":        objectSchema(attr, "name", "type"),
		"AttributeDefinitionChange":  objectSchema(attr),
		"EntityDefinition":           objectSchema(ent, "name"),
		"EntityDefinitionChange":     objectSchema(ent),
		"RelationshipDefinition":     objectSchema(rel, "name", "entity1", "entity2", "nav1", "nav2"),
		"EntityDefinitionList":       listOf("EntityDefinition"),
		"AttributeDefinitionList":    listOf("AttributeDefinition"),
		"RelationshipDefinitionList": listOf("RelationshipDefinition"),
	}
}

// keySchema is the schema of an alternate key part in a key-as-segment path.
func keySchema(a *metadata.Attribute) object {
	switch a.Type {
	case metadata.TypeInteger:
		return object{"type": "integer", "format": "int64"}
	case metadata.TypeLookup:
		return uuidSchema
	case metadata.TypeDate:
		return object{"type": "string", "format": "date"}
	}
	return stringSchema
}

// keyLiteral writes an alternate key part of a record address: strings are quoted, numbers,
// ids and dates are not (OData literal syntax).
func keyLiteral(a *metadata.Attribute) string {
	switch a.Type {
	case metadata.TypeInteger, metadata.TypeLookup, metadata.TypeDate:
		return fmt.Sprintf("%s={%s}", a.Name, a.Name)
	}
	return fmt.Sprintf("%s='{%s}'", a.Name, a.Name)
}
