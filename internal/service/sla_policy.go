package service

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// priorities are the case priorities, most pressing first.
var priorities = []string{"urgent", "high", "normal", "low"}

// PolicyFor returns the SLA of a case priority in the caller's tenant: its active sla_policy
// record (the most recently changed, should there be several), else the default of SLAs. The
// policy is read as the server: every writer of cases gets the same targets.
func PolicyFor(ctx context.Context, recs *records.Service, priority string) (SLA, error) {
	def, ok := SLAs[priority]
	if !ok {
		def, priority = SLAs["normal"], "normal"
	}
	p, ok := principal.From(ctx)
	if !ok || recs.Registry().System().Entity("sla_policy") == nil {
		return def, nil
	}
	o, err := query.ParseOptions("$top=1&$orderby=modified_at desc&$select=first_response_minutes,resolve_minutes,warn_before_minutes&$filter=" +
		url.QueryEscape("priority eq '"+priority+"' and is_active eq true"))
	if err != nil {
		return def, err
	}
	page, err := recs.List(principal.With(ctx, principal.System(p.TenantID)), "sla_policy", o, records.ReadOptions{})
	if err != nil {
		return def, fmt.Errorf("service: SLA policy: %w", err)
	}
	if len(page.Records) == 0 {
		return def, nil
	}
	r := page.Records[0]
	sla := SLA{FirstResponse: minutesOf(r.Get("first_response_minutes")), Resolve: minutesOf(r.Get("resolve_minutes")),
		Warn: minutesOf(r.Get("warn_before_minutes"))}
	if sla.FirstResponse <= 0 {
		sla.FirstResponse = def.FirstResponse
	}
	if sla.Resolve <= 0 {
		sla.Resolve = def.Resolve
	}
	return sla, nil
}

func minutesOf(v any) time.Duration { return time.Duration(asInt(v)) * time.Minute }

// EnsureSLAPolicies gives tenant the default SLA policies (one per priority, from SLAs) when it
// has none, so that administrators find them as records to edit. Deactivating a policy falls
// back to the same defaults; deleting every policy brings them back at the next start.
func EnsureSLAPolicies(ctx context.Context, recs *records.Service, tenant string) error {
	if recs.Registry().System().Entity("sla_policy") == nil {
		return nil
	}
	ctx = principal.With(ctx, principal.System(tenant))
	o, err := query.ParseOptions("$top=1&$select=id")
	if err != nil {
		return err
	}
	page, err := recs.List(ctx, "sla_policy", o, records.ReadOptions{})
	if err != nil || len(page.Records) > 0 {
		return err
	}
	rows := make([]records.Input, 0, len(priorities))
	for _, p := range priorities {
		sla := SLAs[p]
		rows = append(rows, records.Input{"name": "Default " + p, "priority": p,
			"first_response_minutes": int64(sla.FirstResponse / time.Minute), "resolve_minutes": int64(sla.Resolve / time.Minute)})
	}
	_, rowErrs, err := recs.CreateMany(ctx, "sla_policy", rows)
	if err == nil && len(rowErrs) > 0 {
		err = fmt.Errorf("service: default SLA policies: %v", rowErrs)
	}
	return err
}
