package apidoc

import "github.com/meridian-crm/meridian/internal/metadata"

// addProcessPaths adds the bound actions that move a record of e through the sales or the
// service process (internal/sales, internal/service; served by internal/api/actions.go).
func addProcessPaths(paths object, m *metadata.Model, e *metadata.Entity) {
	base := "/" + e.SetName + "({id})/"
	params := paramRefs("id", "if_match")
	errs := []int{400, 401, 403, 404, 409, 412, 429}
	record := object{"200": response("The record after the action.", schemaRef(e.Name))}
	str := object{"type": "string"}
	if !e.ReadOnly() && m.Entity("activity") != nil {
		paths[base+"timeline"] = object{"get": operation{
			id: e.Name + ".timeline", tag: e.SetName, summary: "The activity timeline of " + e.DisplayName.EN,
			description: "Activities (the activities view) regarding the record and, rolled up, those of the contacts, opportunities, " +
				"cases and leads that point to it through a lookup (up to 500 of each), newest first unless $orderby says otherwise. " +
				"$filter, $select, $orderby and $top (at most 100, default 25) apply; one page, no next link.",
			params: paramRefs("id", "filter", "select", "orderby", "top"),
			ok:     object{"200": response("The activities.", listOf("activity"))}, errors: []int{400, 401, 403, 404, 429},
		}.build()}
	}
	if e.Name == "lead" || e.Name == "case" {
		paths[base+"route"] = object{"post": operation{
			id: e.Name + ".route", tag: e.SetName, summary: "Apply the assignment rules to the " + e.Name,
			description: "Tries the active assignment_rules of the entity in order (sequence); the first whose condition ($filter) " +
				"matches the record assigns it (a user, a team, round-robin over a team's members, or by territory) and, for cases, " +
				"sets its queue. The owner is replaced even when the record has one; routed_by_rule_id names the rule. Needs the " +
				"assign privilege on the record. 409 no_rule_matched when no rule matches (nothing is written).",
			params: paramRefs("id"), ok: record, errors: []int{401, 403, 404, 409, 429},
		}.build()}
	}
	switch e.Name {
	case "lead":
		paths[base+"qualify"] = object{"post": operation{
			id: "lead.qualify", tag: e.SetName, summary: "Qualify a lead into an account, a contact and an opportunity",
			description: "In one transaction: creates an account from company_name (unless the lead or account_id names one), " +
				"a contact from the person (unless the lead or contact_id names one) and an opportunity (name from opportunity_name, " +
				"subject or company; amount from estimated_value), links them to the lead and marks it qualified. " +
				"Each record is created through the records service (authorized and audited). 409 already_qualified or lead_disqualified.",
			params: params,
			body: body(object{"type": "object", "additionalProperties": false, "properties": object{
				"account_id": uuidSchema, "contact_id": uuidSchema,
				"create_account": object{"type": "boolean"}, "create_contact": object{"type": "boolean"},
				"create_opportunity": object{"type": "boolean"}, "opportunity_name": str}}),
			ok: object{"200": response("What was created or linked.", objectSchema(object{
				"lead_id": uuidSchema, "account_id": uuidSchema, "contact_id": uuidSchema, "opportunity_id": uuidSchema,
				"created": arrayOf(object{"type": "string", "enum": []any{"account", "contact", "opportunity"}})}, "lead_id", "created"))},
			errors: errs,
		}.build()}
		paths[base+"disqualify"] = object{"post": operation{
			id: "lead.disqualify", tag: e.SetName, summary: "Disqualify an open lead with a reason", params: params,
			body: body(objectSchema(object{"reason": object{"type": "string",
				"enum": []any{"no_interest", "no_budget", "lost_to_competitor", "cannot_contact", "duplicate", "other"}}}, "reason")),
			ok: record, errors: errs,
		}.build()}
		paths[base+"reactivate"] = object{"post": operation{
			id: "lead.reactivate", tag: e.SetName, summary: "Reopen a qualified or disqualified lead (status contacted)", params: params,
			ok: record, errors: errs,
		}.build()}
	case "case":
		paths[base+"resolve"] = object{"post": operation{
			id: "case.resolve", tag: e.SetName, summary: "Resolve a case with its resolution",
			description: "Status resolved, resolved_at now, the resolution notes and optionally the customer's satisfaction (1–5). " +
				"409 already_resolved or case_canceled.",
			params: params,
			body: body(objectSchema(object{"resolution": str,
				"satisfaction": object{"type": "integer", "minimum": 1, "maximum": 5}}, "resolution")),
			ok: record, errors: errs,
		}.build()}
		paths[base+"reopen"] = object{"post": operation{
			id: "case.reopen", tag: e.SetName, summary: "Reopen a resolved or canceled case (status in_progress)",
			params: params, ok: record, errors: errs,
		}.build()}
		paths[base+"pick"] = object{"post": operation{
			id: "case.pick", tag: e.SetName, summary: "Pick a case from its queue (assign it to yourself)",
			description: "The caller must be a member of the case's queue (queue members see the queue's cases); the case is " +
				"assigned to the caller and a new case moves to in progress. 403 not_queue_member, 409 not_in_queue or case_closed.",
			params: paramRefs("id"), ok: record, errors: []int{401, 403, 404, 409, 429},
		}.build()}
		paths[base+"cancel"] = object{"post": operation{
			id: "case.cancel", tag: e.SetName, summary: "Cancel an open case", params: params, ok: record, errors: errs,
		}.build()}
	case "opportunity":
		paths[base+"close"] = object{"post": operation{
			id: "opportunity.close", tag: e.SetName, summary: "Close an open opportunity as won or lost",
			description: "Won: probability 100 and the final stage; lost: probability 0. Sets actual_close_date (today unless close_date is given), " +
				"close_reason and competitor. 409 already_closed.",
			params: params,
			body: body(objectSchema(object{"status": object{"type": "string", "enum": []any{"won", "lost"}},
				"reason": str, "competitor": str, "close_date": object{"type": "string", "format": "date"}}, "status")),
			ok: record, errors: errs,
		}.build()}
		paths[base+"reopen"] = object{"post": operation{
			id: "opportunity.reopen", tag: e.SetName, summary: "Reopen a won or lost opportunity",
			description: "Status open, the stage's default probability; the close date, reason and competitor are cleared.",
			params:      params, ok: record, errors: errs,
		}.build()}
	}
}
