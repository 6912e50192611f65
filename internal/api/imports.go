package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/fault"
)

// routeImports registers the import job endpoints: upload a file (the job runs in the
// background), follow its progress, download its error file, cancel it.
func (s *Server) routeImports(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/imports", s.createImport)
	mux.HandleFunc("GET /api/v1/imports", s.listImports)
	mux.HandleFunc("GET /api/v1/imports/{id}", s.getImport)
	mux.HandleFunc("DELETE /api/v1/imports/{id}", s.cancelImport)
	mux.HandleFunc("GET /api/v1/imports/{id}/errors", s.importErrors)
}

// importView is the JSON form of an import job.
type importView struct {
	ID           string     `json:"id"`
	Status       string     `json:"status"`
	Entity       string     `json:"entity"`
	FileName     string     `json:"file_name"`
	Format       string     `json:"format"`
	UpsertKey    []string   `json:"upsert_key,omitempty"`
	DryRun       bool       `json:"dry_run"`
	Progress     int        `json:"progress"`
	RowsTotal    int64      `json:"rows_total"`
	RowsDone     int64      `json:"rows_done"`
	Created      int64      `json:"created"`
	Updated      int64      `json:"updated"`
	Skipped      int64      `json:"skipped"`
	Failed       int64      `json:"failed"`
	Warnings     []string   `json:"warnings"`
	Error        string     `json:"error,omitempty"`
	ErrorFileURL *string    `json:"error_file_url"`
	CreatedAt    time.Time  `json:"created_at"`
	StartedAt    *time.Time `json:"started_at"`
	FinishedAt   *time.Time `json:"finished_at"`
	CreatedBy    string     `json:"created_by,omitempty"`
}

func (s *Server) importView(j *exchange.Job) importView {
	v := importView{ID: j.ID, Status: j.Status, Entity: j.Entity, FileName: j.FileName, Format: j.Format,
		UpsertKey: j.Options.UpsertKey, DryRun: j.Options.DryRun, Progress: j.Progress(), RowsTotal: j.RowsTotal,
		RowsDone: j.RowsDone, Created: j.Created, Updated: j.Updated, Skipped: j.Skipped, Failed: j.Failed,
		Warnings: j.Warnings, Error: j.Error, CreatedAt: j.CreatedAt, StartedAt: j.StartedAt, FinishedAt: j.FinishedAt,
		CreatedBy: j.CreatedBy}
	if m, err := s.reg.Model(context.Background(), j.TenantID); err == nil && m.Entity(j.Entity) != nil {
		v.Entity = m.Entity(j.Entity).SetName
	}
	if v.Warnings == nil {
		v.Warnings = []string{}
	}
	if j.ErrorBytes > 0 {
		u := "/api/v1/imports/" + j.ID + "/errors"
		v.ErrorFileURL = &u
	}
	return v
}

func (s *Server) imports(w http.ResponseWriter, r *http.Request) (*exchange.Runner, bool) {
	if s.Imports == nil {
		s.writeError(w, r, fault.New(fault.NotFound, "not_found", "imports are not enabled on this server"))
		return nil, false
	}
	return s.Imports, true
}

// createImport takes the file as the raw body (text/csv, the XLSX type or any other; the
// content decides) or as multipart/form-data with a "file" part and an optional "mapping"
// part (YAML). Options come from the query string (or form fields): entity, upsert_key,
// dry_run, batch_size, name. It answers 202 with the job; problems that would fail every row
// (unknown columns, a bad mapping or key) are a 400 at once.
func (s *Server) createImport(w http.ResponseWriter, r *http.Request) {
	run, ok := s.imports(w, r)
	if !ok {
		return
	}
	limit := run.MaxBytes
	if limit <= 0 {
		limit = exchange.DefaultMaxUpload
	}
	u := exchange.Upload{}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	get := r.URL.Query().Get
	switch {
	case mt == "multipart/form-data":
		r.Body = http.MaxBytesReader(w, r.Body, limit+1<<20)
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			s.writeError(w, r, badUpload(err))
			return
		}
		defer r.MultipartForm.RemoveAll()
		if err := checkForm(r.MultipartForm); err != nil {
			s.writeError(w, r, err)
			return
		}
		f, hdr, err := r.FormFile("file")
		if err != nil {
			s.writeError(w, r, fault.Field("file", "required", "send the file in a form part called \"file\""))
			return
		}
		defer f.Close()
		u.Body, u.Name = f, hdr.Filename
		get = r.FormValue
		if m, err := formText(r, "mapping"); err != nil {
			s.writeError(w, r, err)
			return
		} else if m != "" {
			if u.Mapping, err = exchange.ParseMapping([]byte(m)); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
	case mt == "application/json" || strings.HasPrefix(mt, "application/x-www-form-urlencoded"):
		s.writeError(w, r, fault.Newf(fault.Invalid, "unsupported_format",
			"send the file itself (text/csv or an .xlsx workbook) or multipart/form-data, not %s", mt))
		return
	default:
		u.Body = r.Body
		if _, p, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
			u.Name = p["filename"]
		}
	}
	if n := get("name"); n != "" {
		u.Name = n
	}
	u.Name = path.Base(strings.ReplaceAll(u.Name, `\`, "/"))
	if u.Name == "." || u.Name == "/" {
		u.Name = ""
	}
	u.Entity = get("entity")
	if u.Entity == "" {
		s.writeError(w, r, fault.Field("entity", "required", "name the entity set to import into: ?entity=accounts"))
		return
	}
	if k := get("upsert_key"); k != "" {
		for _, part := range strings.Split(k, ",") {
			u.UpsertKey = append(u.UpsertKey, strings.TrimSpace(part))
		}
	}
	var err error
	if v := get("dry_run"); v != "" {
		if u.DryRun, err = strconv.ParseBool(v); err != nil {
			s.writeError(w, r, fault.Field("dry_run", "invalid_value", "dry_run is true or false"))
			return
		}
	}
	if v := get("batch_size"); v != "" {
		if u.BatchSize, err = strconv.Atoi(v); err != nil || u.BatchSize < 1 || u.BatchSize > 10000 {
			s.writeError(w, r, fault.Field("batch_size", "invalid_value", "batch_size is a whole number from 1 to 10000"))
			return
		}
	}
	j, err := run.Submit(r.Context(), u)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/imports/"+j.ID)
	writeJSON(w, http.StatusAccepted, s.importView(j))
}

func badUpload(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return fault.Wrap(fault.Invalid, "invalid_upload", "the multipart body cannot be read", err)
}

// formText returns a form value or the content of a file part of that name.
func formText(r *http.Request, name string) (string, error) {
	if v := r.FormValue(name); v != "" {
		return v, nil
	}
	f, _, err := r.FormFile(name)
	if errors.Is(err, http.ErrMissingFile) {
		return "", nil
	}
	if err != nil {
		return "", badUpload(err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err == nil && bytes.IndexByte(b, 0) >= 0 {
		err = nulFault(name)
	}
	return string(b), err
}

func (s *Server) listImports(w http.ResponseWriter, r *http.Request) {
	run, ok := s.imports(w, r)
	if !ok {
		return
	}
	jobs, err := run.Jobs(r.Context(), 100)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]importView, len(jobs))
	for i, j := range jobs {
		out[i] = s.importView(j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func (s *Server) getImport(w http.ResponseWriter, r *http.Request) {
	run, ok := s.imports(w, r)
	if !ok {
		return
	}
	j, err := run.Job(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.importView(j))
}

func (s *Server) cancelImport(w http.ResponseWriter, r *http.Request) {
	run, ok := s.imports(w, r)
	if !ok {
		return
	}
	j, err := run.Cancel(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.importView(j))
}

// importErrors sends the rows of the error file that committed batches wrote (a running job's
// file grows as it goes).
func (s *Server) importErrors(w http.ResponseWriter, r *http.Request) {
	run, ok := s.imports(w, r)
	if !ok {
		return
	}
	j, err := run.Job(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if j.ErrorBytes == 0 {
		s.writeError(w, r, fault.Newf(fault.NotFound, "not_found", "import %s has no failed rows", j.ID))
		return
	}
	f, err := os.Open(j.ErrorFile)
	if err != nil {
		s.writeError(w, r, fmt.Errorf("import %s: error file: %w", j.ID, err))
		return
	}
	defer f.Close()
	name := strings.TrimSuffix(j.FileName, path.Ext(j.FileName)) + ".errors.csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("Content-Length", strconv.FormatInt(j.ErrorBytes, 10))
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, io.LimitReader(f, j.ErrorBytes)); err != nil {
		s.log.WarnContext(r.Context(), "error file download cut short", "import", j.ID, "err", err)
	}
}
