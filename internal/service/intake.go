package service

import (
	"context"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// Message is an inbound email, as a mailbox connector hands it over.
type Message struct {
	From     string   `json:"from"`
	FromName string   `json:"from_name,omitempty"`
	To       []string `json:"to"`
	Cc       []string `json:"cc,omitempty"`
	Subject  string   `json:"subject"`
	Text     string   `json:"text,omitempty"`
	HTML     string   `json:"html,omitempty"`
	// MessageID is the Message-ID header: a message seen before is ignored.
	MessageID  string     `json:"message_id,omitempty"`
	InReplyTo  string     `json:"in_reply_to,omitempty"`
	References []string   `json:"references,omitempty"`
	Date       *time.Time `json:"date,omitempty"`
}

// IntakeResult says what an inbound email became.
type IntakeResult struct {
	// Outcome is "created" (a new case), "threaded" (an email on an existing case) or
	// "duplicate" (the message was taken in before; nothing was written).
	Outcome        string `json:"outcome"`
	CaseID         string `json:"case_id"`
	CaseNumber     string `json:"case_number,omitempty"`
	EmailID        string `json:"email_id,omitempty"`
	ContactID      string `json:"contact_id,omitempty"`
	ContactCreated bool   `json:"contact_created,omitempty"`
	QueueID        string `json:"queue_id,omitempty"`
}

// Outcomes of an intake.
const (
	IntakeCreated   = "created"
	IntakeThreaded  = "threaded"
	IntakeDuplicate = "duplicate"
)

// caseTag finds a case number in a subject, e.g. "Re: [CAS-000123] Printer on fire".
var caseTag = regexp.MustCompile(`\[(CAS-\d+)\]`)

// Intake turns an inbound email into service work, in one transaction: a message already taken
// in (same Message-ID) is ignored; a reply — its subject carries a case number in brackets, or
// In-Reply-To/References name a message stored on a case — is added to that case as an
// incoming email (a case waiting for the customer goes back in progress, so its SLA resumes);
// any other message opens a case (origin email, title from the subject, the sender's contact
// and account, the queue whose intake address it was sent to, that queue's default priority)
// with the email on it. The assignment rules then route the new case. A sender who is no
// contact yet becomes one, so that the case has a customer to answer. Every write goes through
// the records service as the caller.
func (c *Cases) Intake(ctx context.Context, m Message) (*IntakeResult, error) {
	from, err := mail.ParseAddress(strings.TrimSpace(m.From))
	if err != nil {
		return nil, fault.Field("from", "invalid_email", "from is not an email address: %v", err)
	}
	m.From = strings.ToLower(from.Address)
	if m.FromName == "" {
		m.FromName = from.Name
	}
	m.MessageID = messageID(m.MessageID)
	var res *IntakeResult
	err = c.recs.Store().WithTx(ctx, func(ctx context.Context) error {
		var err error
		res, err = c.intake(ctx, m)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("service: intake: %w", err)
	}
	return res, nil
}

func (c *Cases) intake(ctx context.Context, m Message) (*IntakeResult, error) {
	if m.MessageID != "" {
		seen, err := c.first(ctx, "email", "message_id eq "+lit(m.MessageID), "id,regarding_id")
		if err != nil || seen != nil {
			if seen == nil {
				return nil, err
			}
			regarding, _ := seen.Get("regarding_id").(string)
			return &IntakeResult{Outcome: IntakeDuplicate, CaseID: regarding, EmailID: seen.ID()}, nil
		}
	}
	existing, err := c.repliedCase(ctx, m)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		return c.thread(ctx, existing, m)
	}
	return c.open(ctx, m)
}

// repliedCase finds the case a message answers: by the case number in its subject, else by the
// stored messages it replies to. nil when it answers none.
func (c *Cases) repliedCase(ctx context.Context, m Message) (*records.Record, error) {
	if tag := caseTag.FindStringSubmatch(m.Subject); tag != nil {
		rec, err := c.first(ctx, "case", "case_number eq "+lit(tag[1]), "")
		if err != nil || rec != nil {
			return rec, err
		}
	}
	var ids []string
	for _, id := range append([]string{m.InReplyTo}, m.References...) {
		if id = messageID(id); id != "" {
			ids = append(ids, lit(id))
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	prior, err := c.first(ctx, "email", "message_id in ("+strings.Join(ids, ",")+") and regarding_type eq 'case'", "id,regarding_id")
	if err != nil || prior == nil {
		return nil, err
	}
	id, _ := prior.Get("regarding_id").(string)
	return c.recs.Get(ctx, "case", id, nil)
}

// thread adds the message to an existing case.
func (c *Cases) thread(ctx context.Context, cs *records.Record, m Message) (*IntakeResult, error) {
	email, err := c.recordEmail(ctx, cs.ID(), m)
	if err != nil {
		return nil, err
	}
	if status(cs) == "waiting" {
		if _, err := c.recs.Update(ctx, "case", cs.ID(), records.Input{"status": "in_progress"}, ""); err != nil {
			return nil, err
		}
	}
	number, _ := cs.Get("case_number").(string)
	contact, _ := cs.Get("contact_id").(string)
	queue, _ := cs.Get("queue_id").(string)
	return &IntakeResult{Outcome: IntakeThreaded, CaseID: cs.ID(), CaseNumber: number, EmailID: email, ContactID: contact, QueueID: queue}, nil
}

// open creates a case (and, when needed, the sender's contact) from the message.
func (c *Cases) open(ctx context.Context, m Message) (*IntakeResult, error) {
	res := &IntakeResult{Outcome: IntakeCreated}
	contact, err := c.first(ctx, "contact", "email eq "+lit(m.From), "id,account_id")
	if err != nil {
		return nil, err
	}
	if contact == nil {
		contact, err = c.recs.Create(ctx, "contact", senderContact(m))
		if err != nil {
			return nil, err
		}
		res.ContactCreated = true
	}
	res.ContactID = contact.ID()
	in := records.Input{"title": clip(firstLine(m.Subject, "(no subject)"), 200), "origin": "email", "contact_id": contact.ID()}
	if acc, ok := contact.Get("account_id").(string); ok {
		in["account_id"] = acc
	}
	if d := body(m); d != "" {
		in["description"] = d
	}
	for _, to := range append(append([]string{}, m.To...), m.Cc...) {
		addr, err := mail.ParseAddress(strings.TrimSpace(to))
		if err != nil {
			continue
		}
		q, err := c.first(ctx, "queue", "tolower(email_address) eq "+lit(strings.ToLower(addr.Address)), "id,default_priority")
		if err != nil {
			return nil, err
		}
		if q != nil {
			in["queue_id"] = q.ID()
			if p, ok := q.Get("default_priority").(string); ok {
				in["priority"] = p
			}
			break
		}
	}
	cs, err := c.recs.Create(ctx, "case", in)
	if err != nil {
		return nil, err
	}
	res.CaseID = cs.ID()
	res.CaseNumber, _ = cs.Get("case_number").(string)
	res.QueueID, _ = cs.Get("queue_id").(string)
	if res.EmailID, err = c.recordEmail(ctx, cs.ID(), m); err != nil {
		return nil, err
	}
	return res, nil
}

// recordEmail stores the message as a completed incoming email regarding the case.
func (c *Cases) recordEmail(ctx context.Context, caseID string, m Message) (string, error) {
	in := records.Input{"subject": clip(firstLine(m.Subject, "(no subject)"), 200), "regarding_id": caseID, "regarding_type": "case",
		"sender": m.From, "to_recipients": clip(strings.Join(m.To, ", "), 2000), "direction": "inbound", "status": "completed"}
	if len(m.Cc) > 0 {
		in["cc_recipients"] = clip(strings.Join(m.Cc, ", "), 2000)
	}
	if m.MessageID != "" {
		in["message_id"] = clip(m.MessageID, 500)
	}
	if d := body(m); d != "" {
		in["description"] = d
	}
	rec, err := c.recs.Create(ctx, "email", in)
	if err != nil {
		return "", err
	}
	return rec.ID(), nil
}

// senderContact is the contact made for an unknown sender: the display name, else the address's
// local part, as the name.
func senderContact(m Message) records.Input {
	name := strings.TrimSpace(m.FromName)
	if name == "" {
		name, _, _ = strings.Cut(m.From, "@")
	}
	in := records.Input{"email": m.From}
	if first, last, ok := strings.Cut(name, " "); ok && !strings.Contains(last, " ") {
		in["first_name"], in["last_name"] = first, last
	} else {
		in["last_name"] = clip(name, 100)
	}
	return in
}

// first reads the first record of entity matching filter (nil when none).
func (c *Cases) first(ctx context.Context, entity, filter, sel string) (*records.Record, error) {
	q := "$top=1&$orderby=created_at&$filter=" + url.QueryEscape(filter)
	if sel != "" {
		q += "&$select=" + sel
	}
	o, err := query.ParseOptions(q)
	if err != nil {
		return nil, err
	}
	page, err := c.recs.List(ctx, entity, o, records.ReadOptions{})
	if err != nil || len(page.Records) == 0 {
		return nil, err
	}
	return page.Records[0], nil
}

// lit quotes s as an OData string literal.
func lit(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// messageID normalises a Message-ID: without surrounding space and angle brackets.
func messageID(s string) string {
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "<"), ">"))
}

// body is the message's text, else its HTML without tags.
func body(m Message) string {
	if t := strings.TrimSpace(m.Text); t != "" {
		return t
	}
	return strings.TrimSpace(htmlTag.ReplaceAllString(m.HTML, " "))
}

var htmlTag = regexp.MustCompile(`<[^>]*>`)

func firstLine(s, fallback string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if s = strings.TrimSpace(s); s == "" {
		return fallback
	}
	return s
}

// clip shortens s to at most n characters.
func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
