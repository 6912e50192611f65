package apidoc

const tagIntake = "Intake"

// addIntakePaths adds the inbound channels that turn messages into service work.
func addIntakePaths(paths object, schemas object) {
	strs := arrayOf(stringSchema)
	paths["/intake/email"] = object{"post": operation{
		id: "intake.email", tag: tagIntake, summary: "Take in an inbound email (email-to-case)",
		description: "For tenant administrators (a person, or a mailbox connector's API key with the write scope). In one transaction: " +
			"a message whose message_id was taken in before is ignored (200, outcome duplicate); a reply — the subject carries a case " +
			"number such as [CAS-000123], or in_reply_to/references name a message stored on a case — is added to that case as an " +
			"incoming email and a case waiting for the customer goes back in progress (200, outcome threaded); any other message opens " +
			"a case (201, outcome created): origin email, title from the subject, description from the text (else the HTML without tags), " +
			"the contact with the sender's address (created when there is none) and its account, the queue whose email_address is one " +
			"of to/cc with its default priority, and the email on the case. The assignment rules then route the new case.",
		body: body(objectSchema(object{
			"from": object{"type": "string", "description": "The sender, `Name <address>` or an address."}, "from_name": stringSchema,
			"to": strs, "cc": strs, "subject": stringSchema, "text": stringSchema, "html": stringSchema,
			"message_id": stringSchema, "in_reply_to": stringSchema, "references": strs,
			"date": object{"type": "string", "format": "date-time"}}, "from")),
		ok: object{"200": response("A duplicate or a reply.", schemaRef("IntakeResult")),
			"201": response("A new case.", schemaRef("IntakeResult"))},
		errors: []int{400, 401, 403, 429},
	}.build()}
	schemas["IntakeResult"] = objectSchema(object{
		"outcome":         object{"type": "string", "enum": []any{"created", "threaded", "duplicate"}},
		"case_id":         uuidSchema,
		"case_number":     stringSchema,
		"email_id":        uuidSchema,
		"contact_id":      uuidSchema,
		"contact_created": object{"type": "boolean"},
		"queue_id":        uuidSchema,
	}, "outcome", "case_id")
}
