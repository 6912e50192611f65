package api

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/audit"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/jobs"
	"github.com/meridian-crm/meridian/internal/principal"
)

// routeJobs serves a tenant administrator's view of the background jobs working for their
// tenant: the list with each job's last error (the dead letters are the discarded ones), the
// figures, and retrying a job.
func (s *Server) routeJobs(mux *http.ServeMux) {
	if s.Jobs == nil {
		return
	}
	mux.HandleFunc("GET /api/v1/jobs", s.listJobs)
	mux.HandleFunc("GET /api/v1/jobs/stats", s.jobStats)
	mux.HandleFunc("POST /api/v1/jobs/{id}/retry", s.retryJob)
	mux.HandleFunc("POST /api/v1/jobs/{id}/cancel", s.cancelJob)
}

// A jobAction changes one job's state: allowed says from which states.
type jobAction struct {
	name    string
	past    string // for messages: "retried", "canceled"
	allowed []string
	run     func(q *jobs.Queue, ctx context.Context, id int64) (jobs.Job, error)
}

var (
	// Retry runs a failed, cancelled or finished job again now (not a waiting one early: a timer
	// that fired before its time would be wrong).
	retryAction = jobAction{name: "retry", past: "retried", allowed: []string{"retryable", "discarded", "cancelled", "completed"},
		run: (*jobs.Queue).Retry}
	// Cancel stops a job that has not run yet or is waiting for its next attempt.
	cancelAction = jobAction{name: "cancel", past: "canceled", allowed: []string{"pending", "scheduled", "available", "retryable"},
		run: (*jobs.Queue).Cancel}
)

func (s *Server) retryJob(w http.ResponseWriter, r *http.Request)  { s.jobAction(w, r, retryAction) }
func (s *Server) cancelJob(w http.ResponseWriter, r *http.Request) { s.jobAction(w, r, cancelAction) }

// jobsAdmin answers for a caller who may see the tenant's jobs: its administrators.
func (s *Server) jobsAdmin(w http.ResponseWriter, r *http.Request) (principal.Principal, bool) {
	p, _ := principalOf(r)
	admin, err := p.Admin, error(nil)
	if s.Access != nil {
		admin, err = s.Access.IsAdmin(r.Context())
	}
	if err == nil && !admin {
		err = fault.New(fault.Permission, "admin_required", "only a tenant administrator may see the background jobs")
	}
	if err != nil {
		s.writeError(w, r, err)
		return p, false
	}
	return p, true
}

func (s *Server) listJobs(w http.ResponseWriter, r *http.Request) {
	p, ok := s.jobsAdmin(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	f := jobs.Filter{Tenant: p.TenantID, State: q.Get("state"), Kind: q.Get("kind"), Limit: 100}
	if v := q.Get("top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.writeError(w, r, fault.Field("top", "invalid_top", "top must be between 1 and 1000"))
			return
		}
		f.Limit = n
	}
	list, err := s.Jobs.List(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": list})
}

func (s *Server) jobStats(w http.ResponseWriter, r *http.Request) {
	p, ok := s.jobsAdmin(w, r)
	if !ok {
		return
	}
	now := time.Now()
	if s.Clock != nil {
		now = s.Clock()
	}
	st, err := s.Jobs.Stats(r.Context(), p.TenantID, now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// jobAction retries or cancels one of the tenant's jobs, audited (job_retry, job_cancel).
// Another tenant's job is not found.
func (s *Server) jobAction(w http.ResponseWriter, r *http.Request, a jobAction) {
	p, ok := s.jobsAdmin(w, r)
	if !ok {
		return
	}
	notFound := fault.Newf(fault.NotFound, "not_found", "no job %s", r.PathValue("id"))
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.writeError(w, r, notFound)
		return
	}
	ctx := r.Context()
	j, err := s.Jobs.Get(ctx, id)
	if err != nil || j.Tenant != p.TenantID {
		s.writeError(w, r, notFound)
		return
	}
	if !slices.Contains(a.allowed, j.State) {
		s.writeError(w, r, fault.Newf(fault.Conflict, "job_state", "a %s job cannot be %s: only one that is %s",
			j.State, a.past, strings.Join(a.allowed, ", ")))
		return
	}
	if j, err = a.run(s.Jobs, ctx, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.Audit != nil {
		if err := s.Audit.Event(ctx, audit.Event{Action: "job_" + a.name, Entity: "job",
			Details: map[string]any{"job_id": id, "kind": j.Kind}}); err != nil {
			s.log.Error("audit job action", "action", a.name, "err", err)
		}
	}
	writeJSON(w, http.StatusOK, j)
}
