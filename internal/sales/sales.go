// Package sales is the behaviour of the sales process on top of the records service: a lead is
// qualified into an account, a contact and an opportunity, or disqualified with a reason; an
// opportunity is closed as won or lost and reopened. Every step is a write through the one
// write path (authorized, validated, audited, in the change log); the writes of one action share
// one transaction, so an action happens completely or not at all.
package sales

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/records"
)

// Service runs the sales actions.
type Service struct {
	recs *records.Service
}

// New returns the sales actions over the records service.
func New(recs *records.Service) *Service { return &Service{recs: recs} }

// Wire registers the sales process's hooks with the write pipeline (hooks.go) and the
// lifecycles of leads and opportunities with the records service: a
// qualified or disqualified lead and a won or lost opportunity are closed — plain writes may
// neither close one nor change a closed one; the actions below do (records.ByAction). What the
// actions record (qualified_on, disqualify_reason, actual_close_date, close_reason, competitor)
// is read_only in the metadata.
func Wire(recs *records.Service) {
	RegisterHooks(recs)
	recs.SetLifecycle("lead", records.Lifecycle{Attribute: "status",
		Closed: map[string]string{"qualified": "qualify", "disqualified": "disqualify"}, Reopen: "reactivate"})
	recs.SetLifecycle("opportunity", records.Lifecycle{Attribute: "status",
		Closed: map[string]string{"won": "close", "lost": "close"}, Reopen: "reopen"})
}

func (s *Service) today() string { return s.recs.Now().UTC().Format(time.DateOnly) }

// QualifyOptions say what qualifying a lead creates. By default it creates an account from the
// lead's company (unless the lead already names one or AccountID is given), a contact from the
// person (unless the lead names one or ContactID is given) and an opportunity.
type QualifyOptions struct {
	AccountID         string `json:"account_id,omitempty"`
	ContactID         string `json:"contact_id,omitempty"`
	CreateAccount     *bool  `json:"create_account,omitempty"`
	CreateContact     *bool  `json:"create_contact,omitempty"`
	CreateOpportunity *bool  `json:"create_opportunity,omitempty"`
	OpportunityName   string `json:"opportunity_name,omitempty"`
	// IfMatch is the lead's ETag the caller saw ("" for any).
	IfMatch string `json:"-"`
}

// QualifyResult names the records a qualification created or linked.
type QualifyResult struct {
	LeadID        string `json:"lead_id"`
	AccountID     string `json:"account_id,omitempty"`
	ContactID     string `json:"contact_id,omitempty"`
	OpportunityID string `json:"opportunity_id,omitempty"`
	// Created lists what was created ("account", "contact", "opportunity").
	Created []string `json:"created"`
}

func yes(b *bool, dflt bool) bool {
	if b == nil {
		return dflt
	}
	return *b
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return strings.TrimSpace(s)
}

// copyTo sets dst[k] from src[from] when the lead has a value.
func copyTo(dst records.Input, k string, src map[string]any, from string) {
	if v := src[from]; v != nil && v != "" {
		dst[k] = v
	}
}

// Qualify turns an open lead into an account, a contact and an opportunity (as the options
// say), links them to the lead and marks it qualified, in one transaction.
func (s *Service) Qualify(ctx context.Context, leadID string, o QualifyOptions) (*QualifyResult, error) {
	res := &QualifyResult{LeadID: leadID, Created: []string{}}
	ctx = records.ByAction(ctx, "lead")
	err := s.recs.Store().WithTx(ctx, func(ctx context.Context) error {
		lead, err := s.recs.Get(ctx, "lead", leadID, nil)
		if err != nil {
			return err
		}
		l := lead.Map()
		if err := records.CheckETag(o.IfMatch, lead.Version()); err != nil {
			return err
		}
		switch str(l, "status") {
		case "qualified":
			return fault.New(fault.Conflict, "already_qualified", "the lead is already qualified")
		case "disqualified":
			return fault.New(fault.Conflict, "lead_disqualified", "the lead is disqualified; reactivate it first")
		}
		res.AccountID = firstOf(o.AccountID, str(l, "account_id"))
		res.ContactID = firstOf(o.ContactID, str(l, "contact_id"))
		if res.AccountID == "" && yes(o.CreateAccount, str(l, "company_name") != "") {
			if str(l, "company_name") == "" {
				return fault.Field("company_name", "required", "the lead has no company name to create an account from")
			}
			in := records.Input{"name": str(l, "company_name")}
			for _, k := range []string{"industry", "city", "country"} {
				copyTo(in, k, l, k)
			}
			acc, err := s.recs.Create(ctx, "account", in)
			if err != nil {
				return err
			}
			res.AccountID = acc.ID()
			res.Created = append(res.Created, "account")
		}
		if res.ContactID == "" && yes(o.CreateContact, true) {
			in := records.Input{}
			for _, k := range []string{"first_name", "last_name", "email", "phone", "job_title", "city", "country"} {
				copyTo(in, k, l, k)
			}
			if res.AccountID != "" {
				in["account_id"] = res.AccountID
			}
			c, err := s.recs.Create(ctx, "contact", in)
			if err != nil {
				return err
			}
			res.ContactID = c.ID()
			res.Created = append(res.Created, "contact")
		}
		if yes(o.CreateOpportunity, true) {
			name := firstOf(strings.TrimSpace(o.OpportunityName), str(l, "subject"), str(l, "company_name"), str(l, "full_name"))
			in := records.Input{"name": name, "lead_id": leadID, "stage": "qualify", "status": "open", "opened_on": s.today()}
			copyTo(in, "amount", l, "estimated_value")
			copyTo(in, "amount_currency", l, "estimated_value_currency")
			copyTo(in, "campaign_id", l, "campaign_id")
			copyTo(in, "description", l, "description")
			if res.AccountID != "" {
				in["account_id"] = res.AccountID
			}
			if res.ContactID != "" {
				in["contact_id"] = res.ContactID
			}
			opp, err := s.recs.Create(ctx, "opportunity", in)
			if err != nil {
				return err
			}
			res.OpportunityID = opp.ID()
			res.Created = append(res.Created, "opportunity")
		}
		upd := records.Input{"status": "qualified", "qualified_on": s.today(), "disqualify_reason": nil}
		if res.AccountID != "" {
			upd["account_id"] = res.AccountID
		}
		if res.ContactID != "" {
			upd["contact_id"] = res.ContactID
		}
		_, err = s.recs.Update(ctx, "lead", leadID, upd, "")
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sales: qualify: %w", err)
	}
	return res, nil
}

// DisqualifyReasons are the values of a lead's disqualify_reason.
var DisqualifyReasons = []string{"no_interest", "no_budget", "lost_to_competitor", "cannot_contact", "duplicate", "other"}

// Disqualify closes an open lead with a reason (one of DisqualifyReasons).
func (s *Service) Disqualify(ctx context.Context, leadID, reason, ifMatch string) (*records.Record, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, fault.Field("reason", "required", "a reason is required to disqualify a lead")
	}
	var out *records.Record
	ctx = records.ByAction(ctx, "lead")
	err := s.recs.Store().WithTx(ctx, func(ctx context.Context) error {
		lead, err := s.recs.Get(ctx, "lead", leadID, nil)
		if err != nil {
			return err
		}
		if str(lead.Map(), "status") == "qualified" {
			return fault.New(fault.Conflict, "already_qualified", "the lead is qualified; reactivate it before disqualifying it")
		}
		out, err = s.recs.Update(ctx, "lead", leadID, records.Input{"status": "disqualified", "disqualify_reason": reason}, ifMatch)
		return retarget(err, "disqualify_reason", "reason")
	})
	if err != nil {
		return nil, fmt.Errorf("sales: disqualify: %w", err)
	}
	return out, nil
}

// Reactivate reopens a qualified or disqualified lead (status back to contacted). The records
// a qualification created stay, linked.
func (s *Service) Reactivate(ctx context.Context, leadID, ifMatch string) (*records.Record, error) {
	var out *records.Record
	ctx = records.ByAction(ctx, "lead")
	err := s.recs.Store().WithTx(ctx, func(ctx context.Context) error {
		lead, err := s.recs.Get(ctx, "lead", leadID, nil)
		if err != nil {
			return err
		}
		if st := str(lead.Map(), "status"); st != "qualified" && st != "disqualified" {
			return fault.New(fault.Conflict, "lead_open", "the lead is open already")
		}
		out, err = s.recs.Update(ctx, "lead", leadID, records.Input{"status": "contacted", "disqualify_reason": nil}, ifMatch)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sales: reactivate: %w", err)
	}
	return out, nil
}

// CloseOptions describe how an opportunity closed.
type CloseOptions struct {
	Status     string `json:"status"` // won or lost
	Reason     string `json:"reason,omitempty"`
	Competitor string `json:"competitor,omitempty"`
	// CloseDate is the actual close date (YYYY-MM-DD); empty: today.
	CloseDate string `json:"close_date,omitempty"`
	IfMatch   string `json:"-"`
}

// Close closes an open opportunity as won (probability 100, final stage) or lost (probability
// 0), with the reason and competitor.
func (s *Service) Close(ctx context.Context, oppID string, o CloseOptions) (*records.Record, error) {
	if o.Status != "won" && o.Status != "lost" {
		return nil, fault.Field("status", "invalid_value", "status must be won or lost")
	}
	if o.CloseDate == "" {
		o.CloseDate = s.today()
	}
	var out *records.Record
	ctx = records.ByAction(ctx, "opportunity")
	err := s.recs.Store().WithTx(ctx, func(ctx context.Context) error {
		opp, err := s.recs.Get(ctx, "opportunity", oppID, nil)
		if err != nil {
			return err
		}
		if st := str(opp.Map(), "status"); st != "" && st != "open" {
			return fault.Newf(fault.Conflict, "already_closed", "the opportunity is closed (%s); reopen it first", st)
		}
		in := records.Input{"status": o.Status, "actual_close_date": o.CloseDate,
			"close_reason": nilIfBlank(o.Reason), "competitor": nilIfBlank(o.Competitor)}
		if o.Status == "won" {
			in["probability"], in["stage"] = 100, "close"
		} else {
			in["probability"] = 0
		}
		out, err = s.recs.Update(ctx, "opportunity", oppID, in, o.IfMatch)
		err = retarget(err, "actual_close_date", "close_date")
		return retarget(err, "close_reason", "reason")
	})
	if err != nil {
		return nil, fmt.Errorf("sales: close: %w", err)
	}
	return out, nil
}

// Reopen makes a won or lost opportunity open again, with its stage's default probability.
func (s *Service) Reopen(ctx context.Context, oppID, ifMatch string) (*records.Record, error) {
	var out *records.Record
	ctx = records.ByAction(ctx, "opportunity")
	err := s.recs.Store().WithTx(ctx, func(ctx context.Context) error {
		opp, err := s.recs.Get(ctx, "opportunity", oppID, nil)
		if err != nil {
			return err
		}
		m := opp.Map()
		if st := str(m, "status"); st == "" || st == "open" {
			return fault.New(fault.Conflict, "opportunity_open", "the opportunity is open already")
		}
		in := records.Input{"status": "open", "actual_close_date": nil, "close_reason": nil, "competitor": nil}
		if p, ok := StageProbability[str(m, "stage")]; ok {
			in["probability"] = p
		}
		out, err = s.recs.Update(ctx, "opportunity", oppID, in, ifMatch)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sales: reopen: %w", err)
	}
	return out, nil
}

func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func nilIfBlank(s string) any {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	return strings.TrimSpace(s)
}

// retarget renames the target of a field error from the attribute to the action's parameter.
func retarget(err error, attr, param string) error {
	if f, ok := fault.As(err); ok && f.Target == attr {
		f.Target = param
	}
	return err
}
