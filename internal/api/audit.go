package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/audit"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
)

// routeAudit serves the audit trail of the caller's tenant (tenant administrators only).
func (s *Server) routeAudit(mux *http.ServeMux) {
	if s.Audit == nil {
		return
	}
	mux.HandleFunc("GET /api/v1/audit", s.listAudit)
	mux.HandleFunc("GET /api/v1/audit/retention", s.getAuditRetention)
	mux.HandleFunc("PUT /api/v1/audit/retention", s.setAuditRetention)
	mux.HandleFunc("GET /api/v1/audit/verify", s.verifyAudit)
}

// listAudit answers GET /api/v1/audit: a page of entries as OData JSON, or every entry the query
// selects as a file with $format=csv or jsonl (the export is itself audited).
func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	o, err := options(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if o.Format != "" {
		s.exportAudit(w, r)
		return
	}
	pf := parsePrefer(r.Header.Values("Prefer"))
	page, err := s.Audit.List(r.Context(), o, pf.maxPageSize)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	j := &jsonWriter{b: make([]byte, 0, 256+len(page.Entries)*512)}
	j.raw("{")
	j.key("@odata.context")
	j.str(s.apiRoot() + "$metadata#audit")
	if page.Count != nil {
		j.key("@odata.count")
		j.b = strconv.AppendInt(j.b, *page.Count, 10)
	}
	j.key("value")
	j.raw("[")
	for i, e := range page.Entries {
		if i > 0 {
			j.raw(",")
		}
		b, err := e.MarshalFields(page.Fields)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		j.b = append(j.b, b...)
	}
	j.raw("]")
	if page.Next != "" {
		j.key("@odata.nextLink")
		j.str(s.linkWith(r, "$skiptoken", page.Next, "$skip", "$top"))
	}
	j.raw("}")
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; charset=utf-8")
	w.Header().Set("OData-Version", "4.0")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(j.b)
}

func (s *Server) exportAudit(w http.ResponseWriter, r *http.Request) {
	o, _ := options(r)
	format := strings.ToLower(o.Format)
	if format != "csv" && format != "jsonl" && format != "ndjson" {
		s.writeError(w, r, fault.Field("$format", "unsupported_format", "the audit trail exports as csv or jsonl, not %q", o.Format))
		return
	}
	// Check the query and the caller's right before answering with a file.
	probe := *o
	one := 1
	probe.Top, probe.Format = &one, ""
	if _, err := s.Audit.List(r.Context(), &probe, 1); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Audit.Event(r.Context(), audit.Event{Action: audit.ActionExport, Entity: "audit",
		Details: map[string]any{"format": format, "query": r.URL.RawQuery}}); err != nil {
		s.writeError(w, r, err)
		return
	}
	ext, ctype := "csv", "text/csv; charset=utf-8"
	if format != "csv" {
		ext, ctype = "jsonl", "application/x-ndjson; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="audit.`+ext+`"`)
	if _, err := s.Audit.Export(r.Context(), o, format, w); err != nil {
		s.log.ErrorContext(r.Context(), "audit export failed mid-stream", "err", err)
	}
}

type retentionBody struct {
	Days *int `json:"days"`
}

func (s *Server) getAuditRetention(w http.ResponseWriter, r *http.Request) {
	p, _ := principalOf(r)
	if !p.Admin {
		s.writeError(w, r, fault.New(fault.Permission, "forbidden", "only tenant administrators may read the audit settings"))
		return
	}
	days, err := s.Audit.Retention(r.Context(), p.TenantID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"days": days})
}

// setAuditRetention answers PUT /api/v1/audit/retention {"days": N} (0: keep entries forever).
func (s *Server) setAuditRetention(w http.ResponseWriter, r *http.Request) {
	var req retentionBody
	if err := s.decodeStrict(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Days == nil {
		s.writeError(w, r, fault.Field("days", "required", "days is required (0 keeps entries forever)"))
		return
	}
	p, _ := principalOf(r)
	if err := s.Audit.SetRetention(r.Context(), p.TenantID, *req.Days); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{"days": *req.Days})
}

// verifyAudit answers GET /api/v1/audit/verify: the hash chain check of the caller's tenant.
func (s *Server) verifyAudit(w http.ResponseWriter, r *http.Request) {
	p, _ := principalOf(r)
	if !p.Admin {
		s.writeError(w, r, fault.New(fault.Permission, "forbidden", "only tenant administrators may verify the audit trail"))
		return
	}
	reports, err := s.Audit.Verify(r.Context(), p.TenantID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	type brk struct {
		Seq    int64  `json:"seq"`
		Kind   string `json:"kind"`
		Detail string `json:"detail"`
	}
	out := map[string]any{"ok": true, "entries": 0, "head_seq": 0, "anchor_seq": 0, "breaks": []brk{}}
	for _, rep := range reports {
		breaks := []brk{}
		for _, b := range rep.Breaks {
			breaks = append(breaks, brk{Seq: b.Seq, Kind: b.Kind, Detail: b.Detail})
		}
		out = map[string]any{"ok": rep.OK(), "entries": rep.Entries, "head_seq": rep.HeadSeq, "head_hash": rep.HeadHash,
			"anchor_seq": rep.AnchorSeq, "breaks": breaks}
	}
	writeJSON(w, http.StatusOK, out)
}

// auditLogin records a login attempt (the password is never passed on). A success that cannot be
// recorded fails the login: no session exists without its audit entry.
func (s *Server) auditLogin(r *http.Request, tenant, email string, p principal.Principal, err error) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Login(r.Context(), audit.LoginAttempt{Tenant: tenant, Email: email, Principal: p, Err: err})
}

// auditExport records an export of entity records before it streams: an export cut short is
// still on the record.
func (s *Server) auditExport(r *http.Request, entity, format string) error {
	if s.Audit == nil {
		return nil
	}
	return s.Audit.Event(r.Context(), audit.Event{Action: audit.ActionExport, Entity: entity,
		Details: map[string]any{"format": format, "query": r.URL.RawQuery}})
}
