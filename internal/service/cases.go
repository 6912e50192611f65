// Package service is the behaviour of customer service on top of the records service: cases are
// resolved with a resolution, reopened and canceled. Every step is a write through the one write
// path (authorized, validated, audited, in the change log) in one transaction.
package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/records"
)

// Cases runs the case actions.
type Cases struct {
	recs *records.Service
}

// NewCases returns the case actions over the records service.
func NewCases(recs *records.Service) *Cases { return &Cases{recs: recs} }

// WireCases registers the case's lifecycle with the records service: a resolved or canceled
// case is closed — plain writes may neither close a case nor change a closed one; Resolve,
// Cancel and Reopen do, as actions (records.ByAction). The case's SLA fields and resolution are
// read_only in the metadata: the actions and the SLA timers keep them.
func WireCases(recs *records.Service) {
	recs.SetLifecycle("case", records.Lifecycle{Attribute: "status",
		Closed: map[string]string{"resolved": "resolve", "canceled": "cancel"}, Reopen: "reopen"})
}

// ResolveOptions describe how a case was resolved.
type ResolveOptions struct {
	Resolution string `json:"resolution"`
	// Satisfaction is the customer's rating (1–5), when known.
	Satisfaction *int   `json:"satisfaction,omitempty"`
	IfMatch      string `json:"-"`
}

func status(r *records.Record) string { s, _ := r.Get("status").(string); return s }

// Resolve closes an open case with its resolution notes (status resolved, resolved_at now).
func (c *Cases) Resolve(ctx context.Context, id string, o ResolveOptions) (*records.Record, error) {
	if strings.TrimSpace(o.Resolution) == "" {
		return nil, fault.Field("resolution", "required", "the resolution is required to resolve a case")
	}
	var out *records.Record
	ctx = records.ByAction(ctx, "case")
	err := c.recs.Store().WithTx(ctx, func(ctx context.Context) error {
		cur, err := c.recs.Get(ctx, "case", id, nil)
		if err != nil {
			return err
		}
		switch status(cur) {
		case "resolved":
			return fault.New(fault.Conflict, "already_resolved", "the case is resolved already; reopen it first")
		case "canceled":
			return fault.New(fault.Conflict, "case_canceled", "the case is canceled; reopen it first")
		}
		in := records.Input{"status": "resolved", "resolution": strings.TrimSpace(o.Resolution),
			"resolved_at": c.recs.Now().UTC().Format("2006-01-02T15:04:05.000Z")}
		if o.Satisfaction != nil {
			in["satisfaction"] = *o.Satisfaction
		}
		out, err = c.recs.Update(ctx, "case", id, in, o.IfMatch)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("service: resolve: %w", err)
	}
	return out, nil
}

// Reopen makes a resolved or canceled case in progress again; the resolution notes stay as
// history until the next resolution replaces them.
func (c *Cases) Reopen(ctx context.Context, id, ifMatch string) (*records.Record, error) {
	return c.move(ctx, id, ifMatch, "reopen", func(st string) error {
		if st != "resolved" && st != "canceled" {
			return fault.New(fault.Conflict, "case_open", "the case is open already")
		}
		return nil
	}, records.Input{"status": "in_progress", "resolved_at": nil})
}

// Cancel closes an open case without a resolution.
func (c *Cases) Cancel(ctx context.Context, id, ifMatch string) (*records.Record, error) {
	return c.move(ctx, id, ifMatch, "cancel", func(st string) error {
		if st == "resolved" || st == "canceled" {
			return fault.Newf(fault.Conflict, "case_closed", "the case is %s already", st)
		}
		return nil
	}, records.Input{"status": "canceled"})
}

func (c *Cases) move(ctx context.Context, id, ifMatch, action string, allowed func(string) error, in records.Input) (*records.Record, error) {
	var out *records.Record
	ctx = records.ByAction(ctx, "case")
	err := c.recs.Store().WithTx(ctx, func(ctx context.Context) error {
		cur, err := c.recs.Get(ctx, "case", id, nil)
		if err != nil {
			return err
		}
		if err := allowed(status(cur)); err != nil {
			return err
		}
		out, err = c.recs.Update(ctx, "case", id, in, ifMatch)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("service: %s: %w", action, err)
	}
	return out, nil
}
