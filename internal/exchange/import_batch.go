package exchange

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
)

// errDryRun rolls back a dry run's batch after everything was validated and written.
var errDryRun = errors.New("exchange: dry run")

// batch writes rows in one transaction with the job's checkpoint. When the batch fails as a
// whole (a unique violation the pre-checks could not see, a row the database refuses), it is
// written again row by row, so that only the guilty rows fail.
func (r *run) batch(ctx context.Context, rows []*row) error {
	err := r.try(ctx, rows)
	if r.unchecked && fault.CodeOf(err) == "duplicate_key" {
		// A record of the entity exists after all: check every batch's keys from now on.
		r.unchecked = false
		return r.batch(ctx, rows)
	}
	if err == nil || ctx.Err() != nil || errors.Is(err, errJobGone) || errors.Is(err, errInterrupted) ||
		fault.Is(err, fault.Permission) || fault.Is(err, fault.Unauthenticated) {
		return err
	}
	if len(rows) > 1 {
		for _, one := range rows {
			if err := r.batch(ctx, []*row{one}); err != nil {
				return err
			}
		}
		return nil
	}
	// One row that the database refuses with a classified error fails alone.
	if fe, ok := fault.As(err); ok && fe.Kind != fault.Internal {
		rows[0].faults = append(rows[0].faults, faultsOf(err)...)
		return r.try(ctx, rows)
	}
	return err
}

// batchState is what one attempt at a batch learns about its rows.
type batchState struct {
	entity   *metadata.Entity
	faults   map[*row][]*fault.Error
	inputs   map[*row]records.Input   // converted cells with lookups resolved
	dflts    map[*row]records.Input   // defaults, for created records
	existing map[*row]*records.Record // upsert: the record a row updates
	next     *Job                     // the job's counters after the batch
}

func (b *batchState) ok(r *row) bool { return len(b.faults[r]) == 0 }

// try runs one attempt at a batch: lookups, duplicate checks, CreateMany and Update, the error
// file and the checkpoint, in one transaction.
func (r *run) try(ctx context.Context, rows []*row) error {
	prev := *r.job
	var next Job
	errSize := r.errs.size
	err := r.im.st.WithTx(ctx, func(ctx context.Context) error {
		// WithTx may run this again after a deadlock: start each attempt afresh.
		next = prev
		if err := r.errs.truncate(errSize); err != nil {
			return err
		}
		b := &batchState{entity: r.plan.entity, faults: map[*row][]*fault.Error{}, inputs: map[*row]records.Input{},
			dflts: map[*row]records.Input{}, existing: map[*row]*records.Record{}, next: &next}
		var live []*row
		for _, row := range rows {
			if row.empty {
				next.Skipped++
				continue
			}
			b.faults[row] = append([]*fault.Error(nil), row.faults...)
			b.inputs[row], b.dflts[row] = clone(row.input), clone(row.dflt)
			live = append(live, row)
		}
		if err := r.write(ctx, b, live); err != nil {
			return err
		}
		var failed []failedRow
		for _, row := range live {
			if !b.ok(row) {
				failed = append(failed, failedRow{line: row.line, cells: row.cells, faults: b.faults[row]})
				next.Failed++
			}
		}
		next.RowsDone += int64(len(rows))
		size, err := r.errs.write(r.plan, failed)
		next.ErrorBytes = size
		if err != nil {
			return err
		}
		if testHook != nil {
			if err := testHook("batch", &next); err != nil {
				return fmt.Errorf("%w: %w", errInterrupted, err)
			}
		}
		if r.job.Options.DryRun {
			return errDryRun
		}
		return r.im.jobs.checkpoint(ctx, &next, prev.RowsDone)
	})
	if errors.Is(err, errDryRun) {
		err = r.im.jobs.checkpoint(ctx, &next, prev.RowsDone)
	}
	if err != nil {
		if e := r.errs.truncate(errSize); e != nil {
			return errors.Join(err, e)
		}
		return err
	}
	*r.job = next
	r.report()
	if testHook != nil {
		if err := testHook("committed", r.job); err != nil {
			return fmt.Errorf("%w: %w", errInterrupted, err)
		}
	}
	return nil
}

// write resolves, checks and writes the live rows of a batch. Rows that look up other rows of
// the same batch (a parent account in the same file) are created in waves after them.
func (r *run) write(ctx context.Context, b *batchState, live []*row) error {
	e := r.plan.entity
	deferred := map[*row]bool{}
	var later map[string]bool // what rows of this batch may be named by, when rows look up others
	if refersTo(live, e) {
		later = names(e, live, b)
	}
	if err := r.finder.resolve(ctx, live, b, later, deferred); err != nil {
		return err
	}
	var creates, updates []*row
	if len(r.plan.upsert) > 0 {
		var err error
		if creates, updates, err = r.matchUpsert(ctx, live, b); err != nil {
			return err
		}
	} else {
		for _, row := range live {
			if b.ok(row) {
				creates = append(creates, row)
			}
		}
		if !r.unchecked {
			if err := r.checkExisting(ctx, creates, b); err != nil {
				return err
			}
		}
	}
	var lateUpdates []*row
	for _, row := range updates {
		if deferred[row] {
			lateUpdates = append(lateUpdates, row)
		}
	}
	for pending := creates; len(pending) > 0; {
		var ready, wait []*row
		for _, row := range pending {
			switch {
			case !b.ok(row):
			case deferred[row]:
				wait = append(wait, row)
			default:
				ready = append(ready, row)
			}
		}
		if len(ready) == 0 { // what is left names rows that are not written: report it
			if err := r.finder.resolve(ctx, wait, b, nil, map[*row]bool{}); err != nil {
				return err
			}
			break
		}
		if err := r.create(ctx, b, ready); err != nil {
			return err
		}
		deferred = map[*row]bool{}
		if err := r.finder.resolve(ctx, wait, b, names(e, wait, b), deferred); err != nil {
			return err
		}
		pending = wait
	}
	if len(lateUpdates) > 0 {
		if err := r.finder.resolve(ctx, lateUpdates, b, nil, map[*row]bool{}); err != nil {
			return err
		}
	}
	return r.update(ctx, b, updates)
}

// create writes rows with CreateMany; the rows it refuses get their faults.
func (r *run) create(ctx context.Context, b *batchState, rows []*row) error {
	ins := make([]records.Input, len(rows))
	for i, row := range rows {
		in := b.inputs[row]
		for k, v := range b.dflts[row] {
			if _, set := in[k]; !set {
				in[k] = v
			}
		}
		ins[i] = in
	}
	ids, rowErrs, err := r.im.svc.CreateMany(ctx, r.job.Entity, ins)
	if err != nil {
		return err
	}
	var made []*row
	var madeIDs []string
	var madeVals []map[string]any
	for i, row := range rows {
		if e := rowErrs[i]; e != nil {
			b.faults[row] = append(b.faults[row], faultsOf(e)...)
			continue
		}
		b.next.Created++
		made, madeIDs, madeVals = append(made, row), append(madeIDs, ids[i]), append(madeVals, ins[i])
	}
	return r.warnDuplicates(ctx, b, made, madeIDs, madeVals)
}

// maxDuplicateWarnings caps the duplicate warnings an import lists.
const maxDuplicateWarnings = 200

// warnDuplicates adds a warning for each possible duplicate of the records created from rows.
func (r *run) warnDuplicates(ctx context.Context, b *batchState, rows []*row, ids []string, vals []map[string]any) error {
	room := maxDuplicateWarnings + 1 - len(b.next.Warnings)
	if r.im.Duplicates == nil || len(rows) == 0 || room <= 0 {
		return nil // none asked for, or no more listed: the look-ups would be wasted
	}
	dups, err := r.im.Duplicates(ctx, r.job.Entity, ids, vals, room)
	if err != nil {
		return err
	}
	for i, row := range rows {
		if i >= len(dups) {
			break
		}
		for _, d := range dups[i] {
			switch n := len(b.next.Warnings); {
			case n < maxDuplicateWarnings:
				b.next.Warnings = append(slices.Clip(b.next.Warnings), fmt.Sprintf("line %d: possible duplicate of %s", row.line, d))
			case n == maxDuplicateWarnings:
				b.next.Warnings = append(slices.Clip(b.next.Warnings), "more possible duplicates are not listed")
			}
		}
	}
	return nil
}

// update writes the rows that change an existing record; unchanged ones are skipped.
func (r *run) update(ctx context.Context, b *batchState, rows []*row) error {
	for _, row := range rows {
		if !b.ok(row) {
			continue
		}
		rec, in := b.existing[row], b.inputs[row]
		if r.unchanged(in, rec) {
			b.next.Skipped++
			continue
		}
		if _, err := r.im.svc.Update(ctx, r.job.Entity, rec.ID(), in, ""); err != nil {
			fe, isFault := fault.As(err)
			if !isFault || fe.Kind == fault.Internal || fe.Err != nil {
				return err // a database error: the transaction may be unusable
			}
			b.faults[row] = append(b.faults[row], faultsOf(err)...)
			continue
		}
		b.next.Updated++
	}
	return nil
}

func clone(in records.Input) records.Input {
	out := make(records.Input, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// checkExisting fails the rows whose id, alternate key or unique value another record already
// has (one query per key): CreateMany would otherwise fail the whole batch on the database's
// unique index.
func (r *run) checkExisting(ctx context.Context, rows []*row, b *batchState) error {
	e := r.plan.entity
	for _, key := range r.plan.keys {
		var tuples [][]any
		for _, row := range rows {
			if t, ok := tuple(key, b.inputs[row]); ok {
				tuples = append(tuples, t)
			}
		}
		if len(tuples) == 0 {
			continue
		}
		recs, err := r.finder.find(ctx, e, key, tuples, append([]string{"id"}, key...))
		if err != nil {
			return err
		}
		have := map[string]string{}
		for _, rec := range recs {
			if k, ok := keyOf(e, key, rec.Get); ok {
				have[k] = rec.ID()
			}
		}
		for _, row := range rows {
			in := b.inputs[row]
			k, ok := keyOf(e, key, func(n string) any { return in[n] })
			if id, hit := have[k]; ok && hit {
				b.faults[row] = append(b.faults[row], fault.Field(key[0], "duplicate_existing",
					"%s %s already has this %s (%s)", e.Name, id, strings.Join(key, ", "), strings.ReplaceAll(k, "\x1f", ", ")))
			}
		}
	}
	return nil
}

// tuple returns the input values of key, if the row has all of them.
func tuple(key []string, in records.Input) ([]any, bool) {
	t := make([]any, len(key))
	for i, name := range key {
		v, ok := in[name]
		if !ok || v == nil {
			return nil, false
		}
		t[i] = v
	}
	return t, true
}

// matchUpsert splits rows into those that create a record and those that update the record
// with their upsert key (found with one query). A row without a key value creates a record
// when the key is id, and fails otherwise.
func (r *run) matchUpsert(ctx context.Context, rows []*row, b *batchState) (creates, updates []*row, err error) {
	e, key := r.plan.entity, r.plan.upsert
	var tuples [][]any
	for _, row := range rows {
		if t, has := tuple(key, b.inputs[row]); has && b.ok(row) {
			tuples = append(tuples, t)
		}
	}
	byKey := map[string]*records.Record{}
	if len(tuples) > 0 {
		recs, err := r.finder.find(ctx, e, key, tuples, nil)
		if err != nil {
			return nil, nil, err
		}
		for _, rec := range recs {
			if k, ok := keyOf(e, key, rec.Get); ok {
				byKey[k] = rec
			}
		}
	}
	for _, row := range rows {
		if !b.ok(row) {
			continue
		}
		in := b.inputs[row]
		if _, has := tuple(key, in); !has {
			if len(key) == 1 && key[0] == "id" {
				creates = append(creates, row)
			} else {
				b.faults[row] = append(b.faults[row], fault.Field(key[0], "missing_key", "the upsert key %s is empty", strings.Join(key, ", ")))
			}
			continue
		}
		k, valid := keyOf(e, key, func(n string) any { return in[n] })
		rec := byKey[k]
		if !valid || rec == nil {
			creates = append(creates, row)
			continue
		}
		for _, name := range key {
			delete(in, name)
		}
		delete(in, "id")
		b.existing[row] = rec
		updates = append(updates, row)
	}
	return creates, updates, nil
}

// unchanged reports whether every value of in equals the stored one (an update would change
// nothing, so the row is skipped rather than written).
func (r *run) unchanged(in records.Input, rec *records.Record) bool {
	for k, raw := range in {
		a := r.plan.entity.Attr(k)
		if a == nil {
			return false
		}
		v, err := a.Convert(raw)
		if err != nil || Text(v, a.DecimalScale()) != Text(rec.Get(k), a.DecimalScale()) {
			return false
		}
	}
	return true
}
