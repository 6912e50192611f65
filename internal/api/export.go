package api

import (
	"net/http"

	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// export streams every record the query selects as a file ($format=csv, jsonl or xlsx).
// Errors found before the first byte get the usual JSON error; a failure mid-stream can only
// cut the download short, and is logged.
func (s *Server) export(w http.ResponseWriter, r *http.Request, e *metadata.Entity, o *query.Options) {
	f, err := exchange.ParseFormat(o.Format)
	if err != nil {
		if fe, ok := fault.As(err); ok {
			err = fe.WithTarget("$format")
		}
		s.writeError(w, r, err)
		return
	}
	// Validate the query before committing to a file response.
	probe := *o
	one := 1
	probe.Top, probe.Format = &one, ""
	if _, err := s.records.List(r.Context(), e.Name, &probe, records.ReadOptions{PageSize: 1}); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.auditExport(r, e.Name, string(f)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="`+e.SetName+"."+string(f)+`"`)
	if _, err := exchange.Export(r.Context(), s.records, e.Name, o, f, w, nil); err != nil {
		s.log.ErrorContext(r.Context(), "export failed mid-stream", "entity", e.Name, "format", string(f), "err", err)
	}
}
