package app

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/meridian-crm/meridian/internal/jobs"
	"github.com/meridian-crm/meridian/internal/reminders"
	"github.com/meridian-crm/meridian/internal/service"
)

// openJobs builds the job queue (River's tables are migrated with the store's) with every
// worker this build knows; Serve starts working it.
func (a *App) openJobs(context.Context) error {
	workers := river.NewWorkers()
	queue := func() *jobs.Queue { return a.Jobs }
	river.AddWorker(workers, reminders.Wire(a.Records, queue))
	a.SLA = service.WireSLA(a.Records, queue)
	river.AddWorker(workers, a.SLA)
	q, err := jobs.New(a.Store, jobs.Config{Workers: workers, Logger: a.Log})
	if err != nil {
		return err
	}
	a.Jobs = q
	a.API.Jobs = q
	return nil
}
