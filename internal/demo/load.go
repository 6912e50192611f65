package demo

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// Progress reports loading: step is an entity name (or "links", "patches"), done and total
// count its rows.
type Progress func(step string, done, total int)

// Loader writes data sets through the records service, resolving Refs to the ids the service
// hands out. Any row the service refuses is a bug in the generator: loading stops with it.
type Loader struct {
	Records  *records.Service
	Batch    int // rows per CreateMany call (default 5,000)
	Progress Progress
	ids      map[string][]string
}

// NewLoader returns a loader writing through svc.
func NewLoader(svc *records.Service) *Loader {
	return &Loader{Records: svc, Batch: 5000, ids: map[string][]string{}}
}

// Preset makes Ref{entity, i} resolve to ids[i] (records that exist already).
func (l *Loader) Preset(entity string, ids []string) { l.ids[entity] = ids }

// Load creates d's tables in order, then applies its patches and links. It runs in the
// transaction of ctx, if any. It returns the number of records created per entity.
func (l *Loader) Load(ctx context.Context, d *Dataset) (map[string]int, error) {
	counts := map[string]int{}
	for _, t := range d.Tables {
		for from := 0; from < len(t.Rows); from += l.Batch {
			part := t.Rows[from:min(from+l.Batch, len(t.Rows))]
			in := make([]records.Input, len(part))
			for i, row := range part {
				var err error
				if in[i], err = l.resolve(row); err != nil {
					return counts, fmt.Errorf("demo: %s row %d: %w", t.Entity, from+i, err)
				}
			}
			ids, bad, err := l.Records.CreateMany(ctx, t.Entity, in)
			if err != nil {
				return counts, fmt.Errorf("demo: load %s: %w", t.Entity, err)
			}
			if len(bad) > 0 {
				return counts, rowError(t.Entity, from, part, bad)
			}
			l.ids[t.Entity] = append(l.ids[t.Entity], ids...)
			counts[t.Entity] += len(ids)
			l.report(t.Entity, counts[t.Entity], d.Count(t.Entity))
		}
	}
	for i, p := range d.Patches {
		in, err := l.resolve(p.Values)
		if err == nil {
			var id string
			if id, err = l.id(p.Target); err == nil {
				_, err = l.Records.Update(ctx, p.Target.Entity, id, in, "")
			}
		}
		if err != nil {
			return counts, fmt.Errorf("demo: patch %s %d: %w", p.Target.Entity, p.Target.Index, err)
		}
		if (i+1)%500 == 0 || i+1 == len(d.Patches) {
			l.report("patches", i+1, len(d.Patches))
		}
	}
	for i, k := range d.Links {
		from, err := l.id(k.From)
		if err == nil {
			var to string
			if to, err = l.id(k.To); err == nil {
				err = l.Records.Associate(ctx, k.From.Entity, from, k.Nav, to)
			}
		}
		if err != nil {
			return counts, fmt.Errorf("demo: link %s %d %s: %w", k.From.Entity, k.From.Index, k.Nav, err)
		}
		if (i+1)%500 == 0 || i+1 == len(d.Links) {
			l.report("links", i+1, len(d.Links))
		}
	}
	return counts, nil
}

func (l *Loader) report(step string, done, total int) {
	if l.Progress != nil {
		l.Progress(step, done, total)
	}
}

func (l *Loader) id(r Ref) (string, error) {
	ids := l.ids[r.Entity]
	if r.Index < 0 || r.Index >= len(ids) || ids[r.Index] == "" {
		return "", fmt.Errorf("reference to %s %d, which was not created", r.Entity, r.Index)
	}
	return ids[r.Index], nil
}

// resolve turns a row into service input.
func (l *Loader) resolve(row Row) (records.Input, error) {
	in := make(records.Input, len(row))
	for k, v := range row {
		if r, ok := v.(Ref); ok {
			id, err := l.id(r)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", k, err)
			}
			v = id
		}
		in[k] = v
	}
	return in, nil
}

// rowError describes the first rows the service refused.
func rowError(entity string, offset int, rows []Row, bad map[int]error) error {
	idx := make([]int, 0, len(bad))
	for i := range bad {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	var b strings.Builder
	for _, i := range idx[:min(3, len(idx))] {
		fmt.Fprintf(&b, "\n  row %d: %v\n    %v", offset+i, bad[i], rows[i])
	}
	return fmt.Errorf("demo: the records service refused %d of %d %s rows (a generator bug):%s", len(bad), len(rows), entity, b.String())
}

// Summary reports a load.
type Summary struct {
	Counts   map[string]int
	Rows     int
	Duration time.Duration
}

// Install generates the demo data set of cfg and loads it into the tenant of ctx's principal
// in one transaction: a demo is there completely or not at all.
func Install(ctx context.Context, svc *records.Service, cfg Config, progress Progress) (Summary, error) {
	start := time.Now()
	d, err := Generate(cfg)
	if err != nil {
		return Summary{}, err
	}
	l := NewLoader(svc)
	l.Progress = progress
	var counts map[string]int
	err = svc.Store().WithTx(ctx, func(ctx context.Context) error {
		counts, err = l.Load(ctx, d)
		return err
	})
	if err != nil {
		return Summary{}, err
	}
	return Summary{Counts: counts, Rows: d.Size(), Duration: time.Since(start)}, nil
}

// HasData reports whether the tenant of ctx's principal has any account.
func HasData(ctx context.Context, svc *records.Service) (bool, error) {
	one := 1
	page, err := svc.List(ctx, "account", &query.Options{Top: &one, Select: []query.Path{{Segments: []string{"id"}}}}, records.ReadOptions{})
	if err != nil {
		return false, err
	}
	return len(page.Records) > 0, nil
}
