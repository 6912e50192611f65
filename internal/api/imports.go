package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
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
// part (YAML). Options come from the query string or from form fields before the file part:
// entity, upsert_key, dry_run, batch_size, name. The multipart body is read as a stream, so
// that the caller's privileges are checked before any of the file is stored. It answers 202
// with the job; problems that would fail every row (unknown columns, a bad mapping or key) are
// a 400, and a file over an import limit a 413, at once.
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
		fields, file, rest, err := multipartUpload(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		u.Body, u.Name, u.Rest = file, file.FileName(), rest
		get = func(k string) string {
			if v := fields.Get(k); v != "" {
				return v
			}
			return r.URL.Query().Get(k)
		}
		if m := get("mapping"); m != "" {
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
		s.writeError(w, r, fault.Field("entity", "required", "name the entity set to import into: ?entity=accounts (or a form field before the file part)"))
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

// maxFormFields is how many bytes the parts before the file part (options and the mapping)
// may hold together.
const maxFormFields = 2 << 20

// multipartUpload reads the parts of a multipart upload up to the "file" part, which it returns
// unread: the fields before it (options, the mapping as a field or a file part) are the ones
// that count. rest, called once the file is read, refuses a part after it rather than ignore
// it.
func multipartUpload(r *http.Request) (fields url.Values, file *multipart.Part, rest func() error, err error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, nil, badUpload(err)
	}
	fields = url.Values{}
	room := int64(maxFormFields)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, nil, nil, fault.Field("file", "required", "send the file in a form part called \"file\", after the options")
		}
		if err != nil {
			return nil, nil, nil, badUpload(err)
		}
		if part.FormName() == "file" {
			if strings.IndexByte(part.FileName(), 0) >= 0 {
				return nil, nil, nil, nulFault("file")
			}
			return fields, part, func() error { return noMoreParts(mr) }, nil
		}
		b, err := io.ReadAll(io.LimitReader(part, room+1))
		if err != nil {
			return nil, nil, nil, badUpload(err)
		}
		if bytes.IndexByte(b, 0) >= 0 {
			return nil, nil, nil, nulFault(part.FormName())
		}
		if room -= int64(len(b)); room < 0 {
			return nil, nil, nil, fault.Newf(fault.TooLarge, "payload_too_large", "the form fields before the file hold more than %d bytes", maxFormFields)
		}
		fields.Add(part.FormName(), string(b))
	}
}

// noMoreParts refuses a multipart body with parts after the file's: they would be ignored.
func noMoreParts(mr *multipart.Reader) error {
	part, err := mr.NextPart()
	switch {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		return badUpload(err)
	}
	return fault.Field(part.FormName(), "invalid_upload", "the %q part comes after the file: send the options and the mapping before the file part", part.FormName())
}

func badUpload(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return fault.Wrap(fault.Invalid, "invalid_upload", "the multipart body cannot be read", err)
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
// file grows as it goes), with the cells the caller may not read (field-level security) blanked.
func (s *Server) importErrors(w http.ResponseWriter, r *http.Request) {
	run, ok := s.imports(w, r)
	if !ok {
		return
	}
	d, err := run.ErrorFile(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Name}))
	if d.Size >= 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(d.Size, 10))
	}
	w.WriteHeader(http.StatusOK)
	if _, err := d.WriteTo(w); err != nil {
		s.log.WarnContext(r.Context(), "error file download cut short", "import", d.Job.ID, "err", err)
	}
}
