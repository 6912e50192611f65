package apidoc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// object is a JSON object under construction. encoding/json writes map keys sorted, so
// documents built from objects and slices are deterministic.
type object = map[string]any

// Tags of the operations that do not belong to an entity set. Entity set tags are set names,
// which are lower-case, so these cannot collide with them.
const (
	tagService  = "Service"
	tagAuth     = "Authentication"
	tagMetadata = "Metadata"
	tagHealth   = "Health"
)

const apiDescription = "REST API of the Meridian CRM server with OData v4 conventions: query options " +
	"($filter $select $orderby $top $skip $count $expand $apply), server-driven paging, ETag/If-Match " +
	"concurrency, batch requests, upsert by alternate key and change tracking (delta links). " +
	"Every entity, system or custom, has an entity set at /{set}; the CSDL document at /$metadata " +
	"describes the same model. Record ids are time-ordered UUIDs (v7)."

// OpenAPI renders an OpenAPI 3.1 document for the REST API. serverURL is e.g.
// "http://127.0.0.1:8080/api/v1" and version is the API version shown in info.
//
// Summaries, titles and descriptions are in English; the Simplified Chinese display names of
// entities and attributes are in x-display-name-zh extensions.
func OpenAPI(m *metadata.Model, serverURL, version string) []byte {
	paths := object{}
	schemas := commonSchemas()
	tags := []any{
		object{"name": tagService, "description": "Batch requests and the CSDL document"},
		object{"name": tagAuth, "description": "Sign-in"},
		object{"name": tagMetadata, "description": "Entity, attribute and relationship definitions"},
		object{"name": tagHealth, "description": "Liveness and readiness probes"},
		object{"name": tagSecurity, "description": "Security roles, access team templates and field security profiles"},
		object{"name": tagViews, "description": "Saved list views, personal and shared"},
		object{"name": tagSearch, "description": "Global search across entities"},
		object{"name": tagIntake, "description": "Inbound channels: email-to-case"},
		object{"name": tagJobs, "description": "Background jobs: the dead letters, retrying and figures"},
		object{"name": tagDuplicates, "description": "Duplicate detection, its rules, and the undo of merges"},
	}
	addServicePaths(paths)
	addSecurityPaths(paths)
	addSearchPaths(paths, schemas)
	addIntakePaths(paths, schemas)
	addRoutingPaths(paths, schemas)
	addJobPaths(paths, schemas)
	addKnowledgePaths(paths, schemas, m)
	addDuplicatePaths(paths, schemas, m)
	addPluginPaths(paths)
	for k, v := range securitySchemas() {
		schemas[k] = v
	}
	for k, v := range pluginSchemas() {
		schemas[k] = v
	}
	addViewPaths(paths)
	for k, v := range viewSchemas() {
		schemas[k] = v
	}
	for _, e := range m.Entities() {
		addRecordPaths(paths, m, e)
		addRecordSecurityPaths(paths, e)
		addProcessPaths(paths, m, e)
		addEntitySchemas(schemas, m, e)
		tags = append(tags, entityTag(e))
	}
	doc := object{
		"openapi":  "3.1.0",
		"info":     object{"title": "Meridian CRM API", "version": version, "description": apiDescription},
		"servers":  []any{object{"url": serverURL}},
		"security": []any{object{"bearer": []any{}}},
		"tags":     tags,
		"paths":    paths,
		"components": object{
			"securitySchemes": object{"bearer": object{"type": "http", "scheme": "bearer",
				"description": "A session token from POST /auth/login or an API key."}},
			"schemas":    schemas,
			"parameters": commonParameters(),
			"responses":  errorResponses(),
			"headers":    commonHeaders(),
		},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		// Only strings, booleans, integers, validated json.Number and json.RawMessage values,
		// maps and slices go into the document, so encoding cannot fail.
		panic(fmt.Sprintf("apidoc: encode OpenAPI: %v", err))
	}
	return buf.Bytes()
}

func entityTag(e *metadata.Entity) object {
	t := object{"name": e.SetName, "x-displayName": e.PluralName.EN}
	desc := e.PluralName.EN
	if e.Description != "" {
		desc += ": " + e.Description
	}
	t["description"] = desc
	if e.PluralName.ZH != "" {
		t["x-display-name-zh"] = e.PluralName.ZH
	}
	return t
}

// ref returns a reference to a component of kind (schemas, parameters, responses, headers).
func ref(kind, name string) object { return object{"$ref": "#/components/" + kind + "/" + name} }

func schemaRef(name string) object { return ref("schemas", name) }

func param(name string) object { return ref("parameters", name) }

func jsonContent(schema any) object { return object{"application/json": object{"schema": schema}} }

// response is a success response with an optional JSON body and response headers.
func response(description string, schema any, headers ...string) object {
	r := object{"description": description}
	if schema != nil {
		r["content"] = jsonContent(schema)
	}
	if len(headers) > 0 {
		h := object{}
		for _, n := range headers {
			h[n] = ref("headers", n)
		}
		r["headers"] = h
	}
	return r
}

// body is a required JSON request body.
func body(schema any) object {
	return object{"required": true, "content": jsonContent(schema)}
}

// operation describes one operation; build turns it into an OpenAPI operation object.
type operation struct {
	id, tag, summary, description string
	params                        []any
	body                          object
	ok                            object // success responses by status code
	errors                        []int  // error status codes, each answered with the Error schema
	public                        bool   // no authentication
}

func (o operation) build() object {
	responses := object{}
	for code, r := range o.ok {
		responses[code] = r
	}
	for _, code := range o.errors {
		responses[strconv.Itoa(code)] = ref("responses", errorNames[code])
	}
	op := object{"operationId": o.id, "tags": []any{o.tag}, "summary": o.summary, "responses": responses}
	if o.description != "" {
		op["description"] = o.description
	}
	if len(o.params) > 0 {
		op["parameters"] = o.params
	}
	if o.body != nil {
		op["requestBody"] = o.body
	}
	if o.public {
		op["security"] = []any{}
	}
	return op
}

// errorNames names the shared error responses by status code.
var errorNames = map[int]string{
	400: "BadRequest",
	401: "Unauthorized",
	403: "Forbidden",
	404: "NotFound",
	409: "Conflict",
	412: "PreconditionFailed",
	413: "PayloadTooLarge",
	429: "TooManyRequests",
}
