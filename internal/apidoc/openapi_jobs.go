package apidoc

const tagJobs = "Jobs"

// addJobPaths adds a tenant administrator's view of the background jobs under /jobs.
func addJobPaths(paths object, schemas object) {
	states := []any{"pending", "scheduled", "available", "running", "retryable", "completed", "cancelled", "discarded"}
	paths["/jobs"] = object{"get": operation{
		id: "listJobs", tag: tagJobs, summary: "List the tenant's background jobs (administrators)",
		description: "Newest first, with each job's attempts and last error. The dead letters are the `discarded` jobs: " +
			"they failed every attempt and are kept 30 days.",
		params: []any{
			queryParam("state", "Only jobs in this state.", object{"type": "string", "enum": states}),
			queryParam("kind", "Only jobs of this kind, e.g. `sla_timer`.", stringSchema),
			queryParam("top", "How many jobs (1–1000, default 100).", object{"type": "integer", "minimum": 1, "maximum": 1000}),
		},
		ok:     object{"200": response("The jobs.", listOf("Job"))},
		errors: []int{400, 401, 403, 429},
	}.build()}
	paths["/jobs/stats"] = object{"get": operation{
		id: "jobStats", tag: tagJobs, summary: "The tenant's job figures (administrators)",
		description: "Jobs per state and per kind and state, and the lag: how long the longest-waiting due job has waited " +
			"(a growing lag means the workers do not keep up).",
		ok:     object{"200": response("The figures.", schemaRef("JobStats"))},
		errors: []int{401, 403, 429},
	}.build()}
	id := pathParam("id", "The job's number.", object{"type": "integer"})
	paths["/jobs/{id}/retry"] = object{"post": operation{
		id: "retryJob", tag: tagJobs, summary: "Run a failed, cancelled or finished job again now (administrators)",
		description: "Allowed for a `retryable`, `discarded`, `cancelled` or `completed` job (else `409 job_state`); audited as `job_retry`. " +
			"A job does its work at most once to visible effect, so retrying a completed one changes nothing that was done.",
		params: []any{id},
		ok:     object{"200": response("The job, now available.", schemaRef("Job"))},
		errors: []int{401, 403, 404, 409, 429},
	}.build()}
	paths["/jobs/{id}/cancel"] = object{"post": operation{
		id: "cancelJob", tag: tagJobs, summary: "Cancel a job that has not run (administrators)",
		description: "Allowed for a `pending`, `scheduled`, `available` or `retryable` job (else `409 job_state`); audited as `job_cancel`.",
		params:      []any{id},
		ok:          object{"200": response("The job, cancelled.", schemaRef("Job"))},
		errors:      []int{401, 403, 404, 409, 429},
	}.build()}
	count := object{"type": "integer"}
	schemas["Job"] = objectSchema(object{
		"id":           object{"type": "integer"},
		"kind":         stringSchema,
		"state":        object{"type": "string", "enum": states},
		"queue":        stringSchema,
		"tenant_id":    uuidSchema,
		"attempt":      count,
		"max_attempts": count,
		"args":         object{"type": "string", "description": "The job's arguments (JSON)."},
		"created_at":   object{"type": "string", "format": "date-time"},
		"scheduled_at": object{"type": "string", "format": "date-time"},
		"finalized_at": object{"type": "string", "format": "date-time"},
		"last_error":   stringSchema,
	}, "id", "kind", "state", "attempt", "max_attempts", "created_at", "scheduled_at")
	schemas["JobStats"] = objectSchema(object{
		"states":              object{"type": "object", "additionalProperties": count, "description": "Jobs per state."},
		"kinds":               object{"type": "object", "additionalProperties": object{"type": "object", "additionalProperties": count}, "description": "Jobs per kind, then per state."},
		"oldest_available_at": object{"type": "string", "format": "date-time", "description": "When the longest-waiting due job became due."},
		"lag_seconds":         object{"type": "number"},
	}, "states", "kinds", "lag_seconds")
}
