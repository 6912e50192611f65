package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/meridian-crm/meridian/internal/dedupe"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
)

// batchRequest is the OData JSON batch format.
type batchRequest struct {
	Requests []batchOp `json:"requests"`
}

type batchOp struct {
	ID             string            `json:"id"`
	AtomicityGroup string            `json:"atomicityGroup,omitempty"`
	DependsOn      []string          `json:"dependsOn,omitempty"`
	Method         string            `json:"method"`
	URL            string            `json:"url"`
	Headers        map[string]string `json:"headers,omitempty"`
	Body           json.RawMessage   `json:"body,omitempty"`
}

type batchResult struct {
	ID             string            `json:"id,omitempty"`
	AtomicityGroup string            `json:"atomicityGroup,omitempty"`
	Status         int               `json:"status"`
	Headers        map[string]string `json:"headers,omitempty"`
	Body           json.RawMessage   `json:"body,omitempty"`
}

// bufferedResponse captures a sub-request's response.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(code int) { b.status = code }

var errGroupFailed = errors.New("atomicity group failed")

// batch runs a JSON $batch: operations in order; consecutive operations of one atomicity group
// run in one transaction and all fail if one fails.
func (s *Server) batch(w http.ResponseWriter, r *http.Request) {
	var req batchRequest
	b, err := s.readJSON(w, r, s.limits.MaxBatchBytes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&req); err != nil {
		s.writeError(w, r, fault.Newf(fault.Invalid, "invalid_json", "the batch body is not valid JSON batch format: %v", err))
		return
	}
	if len(req.Requests) > s.limits.MaxBatchOps {
		s.writeError(w, r, fault.Newf(fault.TooLarge, "too_many_operations", "a batch may hold at most %d operations; this one has %d", s.limits.MaxBatchOps, len(req.Requests)))
		return
	}
	ids := map[string]bool{} // ids of operations and atomicity groups seen so far
	for i, op := range req.Requests {
		if op.ID == "" {
			s.writeError(w, r, fault.Newf(fault.Invalid, "invalid_batch", "operation %d has no id", i))
			return
		}
		if ids[op.ID] {
			s.writeError(w, r, fault.Newf(fault.Invalid, "invalid_batch", "operation id %s is used twice", op.ID))
			return
		}
		// dependsOn names earlier operations or atomicity groups; anything else would be
		// silently ignored and the operation would run although what it needs failed.
		for _, dep := range op.DependsOn {
			if !ids[dep] {
				s.writeError(w, r, fault.Newf(fault.Invalid, "invalid_batch", "operation %s depends on %s, which is not an earlier operation or atomicity group", op.ID, dep))
				return
			}
		}
		ids[op.ID] = true
		if op.AtomicityGroup != "" {
			ids[op.AtomicityGroup] = true
		}
	}
	results := make([]batchResult, 0, len(req.Requests))
	locations := map[string]string{} // op id → path of the entity it created
	failed := map[string]bool{}
	for i := 0; i < len(req.Requests); {
		group := req.Requests[i].AtomicityGroup
		j := i + 1
		for group != "" && j < len(req.Requests) && req.Requests[j].AtomicityGroup == group {
			j++
		}
		ops := req.Requests[i:j]
		i = j
		if group == "" {
			// A run of independent creates of one entity set takes the bulk path, the one
			// imports use: one transaction, one statement per table.
			if set, ok := plainCreate(ops[0]); ok {
				k := i
				for k < len(req.Requests) {
					if next, ok := plainCreate(req.Requests[k]); !ok || next != set {
						break
					}
					k++
				}
				if k-(i-1) >= 2 {
					if res := s.batchCreates(r, set, req.Requests[i-1:k], locations, failed); res != nil {
						results = append(results, res...)
						i = k
						continue
					}
				}
			}
			res := s.batchOne(r, r.Context(), ops[0], locations, failed)
			results = append(results, res)
			continue
		}
		var groupRes []batchResult
		err := s.st.WithTx(r.Context(), func(ctx context.Context) error {
			groupRes = groupRes[:0]
			for _, op := range ops {
				res := s.batchOne(r, ctx, op, locations, failed)
				groupRes = append(groupRes, res)
				if res.Status >= 400 {
					return errGroupFailed
				}
			}
			return nil
		})
		if err != nil {
			// Every operation of the group is undone: the failing one keeps its error, the
			// others are reported as failed dependencies.
			for k := range groupRes {
				failed[groupRes[k].ID] = true
				delete(locations, groupRes[k].ID)
				if groupRes[k].Status < 400 {
					groupRes[k] = failedDependency(groupRes[k].ID, "the atomicity group "+group+" failed, so this operation was rolled back")
				}
			}
			failed[group] = true // for operations that depend on the group as a whole
			for _, op := range ops[len(groupRes):] {
				failed[op.ID] = true
				groupRes = append(groupRes, failedDependency(op.ID, "the atomicity group "+group+" failed before this operation ran"))
			}
			if !errors.Is(err, errGroupFailed) {
				s.log.ErrorContext(r.Context(), "batch group", "err", err)
			}
		}
		for k := range groupRes {
			groupRes[k].AtomicityGroup = group
		}
		results = append(results, groupRes...)
	}
	writeJSON(w, http.StatusOK, map[string]any{"responses": results})
}

func failedDependency(id, msg string) batchResult {
	body, _ := json.Marshal(errorBody{Error: errorDetail{Code: "failed_dependency", Message: msg}})
	return batchResult{ID: id, Status: http.StatusFailedDependency, Body: body}
}

// batchOne runs one operation through the same handler as a direct request.
func (s *Server) batchOne(parent *http.Request, ctx context.Context, op batchOp, locations map[string]string, failed map[string]bool) batchResult {
	for _, dep := range op.DependsOn {
		if failed[dep] {
			failed[op.ID] = true
			return failedDependency(op.ID, "operation "+dep+" that this one depends on failed")
		}
	}
	target, err := resolveBatchURL(op.URL, locations)
	if err != nil {
		failed[op.ID] = true
		return errorResult(op.ID, err)
	}
	method := strings.ToUpper(op.Method)
	if method == "" || strings.Contains(target, "$batch") {
		failed[op.ID] = true
		return errorResult(op.ID, fault.New(fault.Invalid, "invalid_batch", "each operation needs a method and must not be a nested $batch"))
	}
	body := []byte(op.Body)
	for id, loc := range locations { // "$1" references in @odata.bind values
		body = bytes.ReplaceAll(body, []byte(`"$`+id+`"`), []byte(`"`+loc+`"`))
	}
	sub, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		failed[op.ID] = true
		return errorResult(op.ID, fault.Newf(fault.Invalid, "invalid_batch", "operation %s: %v", op.ID, err))
	}
	if target, found := nulInURL(sub.URL); found {
		failed[op.ID] = true
		return errorResult(op.ID, nulFault(target))
	}
	sub.Host, sub.TLS, sub.RemoteAddr = parent.Host, parent.TLS, parent.RemoteAddr
	for k, v := range op.Headers {
		sub.Header.Set(k, v)
	}
	rec := &bufferedResponse{header: http.Header{}}
	s.odata(rec, sub)
	return resultOf(op, rec, locations, failed)
}

// resultOf is the result of operation op from its response rec, noting what it created in
// locations and whether it failed in failed.
func resultOf(op batchOp, rec *bufferedResponse, locations map[string]string, failed map[string]bool) batchResult {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	res := batchResult{ID: op.ID, Status: rec.status, Headers: map[string]string{}}
	for _, h := range []string{"Location", "ETag", "OData-EntityId"} {
		if v := rec.header.Get(h); v != "" {
			res.Headers[strings.ToLower(h)] = v
		}
	}
	if loc := rec.header.Get("Location"); loc != "" {
		if u, err := url.Parse(loc); err == nil {
			locations[op.ID] = strings.TrimPrefix(u.Path, "/api/v1/")
		}
	}
	if rec.body.Len() > 0 {
		if strings.HasPrefix(rec.header.Get("Content-Type"), "application/json") {
			res.Body = json.RawMessage(rec.body.Bytes())
		} else {
			b, _ := json.Marshal(rec.body.String())
			res.Body = b
		}
	}
	if rec.status >= 400 {
		failed[op.ID] = true
	}
	return res
}

func errorResult(id string, err error) batchResult {
	status, fe := classify(err)
	body, _ := json.Marshal(errorBody{Error: detailOf(fe)})
	return batchResult{ID: id, Status: status, Body: body}
}

// resolveBatchURL turns an operation URL (relative to the service root, absolute, or starting
// with "$<id>" for an entity created earlier in the batch) into a request path.
func resolveBatchURL(raw string, locations map[string]string) (string, error) {
	if strings.HasPrefix(raw, "$") && !strings.HasPrefix(raw, "$metadata") {
		// "$1", "$1/contacts" or "$1?$select=name": the reference ends at the first / or ?.
		end := strings.IndexAny(raw, "/?")
		if end < 0 {
			end = len(raw)
		}
		ref, rest := raw[1:end], raw[end:]
		loc, ok := locations[ref]
		if !ok {
			return "", fault.Newf(fault.Invalid, "invalid_batch", "%s refers to operation %s, which created nothing before this one", raw, ref)
		}
		raw = loc + rest
	}
	if u, err := url.Parse(raw); err == nil && u.IsAbs() {
		raw = u.RequestURI()
	}
	raw = strings.TrimPrefix(raw, "/")
	raw = strings.TrimPrefix(raw, "api/v1/")
	return "/api/v1/" + raw, nil
}

// plainCreate reports whether op is a create of a record that depends on nothing else in the
// batch — a POST to an entity set, in no atomicity group, without dependsOn, references to
// other operations or a strict duplicate check — and the set it creates in.
func plainCreate(op batchOp) (string, bool) {
	if op.AtomicityGroup != "" || len(op.DependsOn) > 0 || !strings.EqualFold(op.Method, http.MethodPost) ||
		strings.HasPrefix(op.URL, "$") || bytes.Contains(op.Body, []byte(`"$`)) {
		return "", false
	}
	for k, v := range op.Headers {
		switch strings.ToLower(k) {
		case "content-type":
		case "prefer":
			if strings.Contains(strings.ToLower(v), "duplicate-check") {
				return "", false
			}
		default:
			return "", false
		}
	}
	target, err := resolveBatchURL(op.URL, nil)
	if err != nil {
		return "", false
	}
	u, err := url.Parse(target)
	if err != nil || u.RawQuery != "" {
		return "", false
	}
	set := strings.TrimPrefix(u.Path, "/api/v1/")
	if set == "" || strings.ContainsAny(set, "/()$") {
		return "", false
	}
	return set, true
}

// batchCreates runs ops, independent creates of the entity set set (plainCreate), on the bulk
// path: records.CreateMany writes the valid ones in one transaction and reports each invalid
// one, and every operation gets the answer its own request would have had — 201 with the record
// (and its duplicate candidates) or 204 with return=minimal, or its error. It returns nil when
// set is not an entity set, for the operations to run one by one (and say so).
func (s *Server) batchCreates(r *http.Request, set string, ops []batchOp, locations map[string]string, failed map[string]bool) []batchResult {
	m, err := s.model(r)
	if err != nil {
		return nil
	}
	e := m.EntityBySet(set)
	if e == nil {
		return nil
	}
	ctx := r.Context()
	results := make([]batchResult, len(ops))
	subs := make([]*http.Request, len(ops))
	var rows []records.Input
	var rowOp []int // rows[k] is the input of ops[rowOp[k]]
	for i, op := range ops {
		target, _ := resolveBatchURL(op.URL, nil)
		sub, err := http.NewRequestWithContext(ctx, http.MethodPost, target, nil)
		if err == nil {
			if target, found := nulInURL(sub.URL); found {
				err = nulFault(target)
			}
		}
		var in records.Input
		if err == nil {
			in, err = decodeInput(op.Body)
		}
		if err != nil {
			failed[op.ID] = true
			results[i] = errorResult(op.ID, err)
			continue
		}
		sub.Host, sub.TLS, sub.RemoteAddr = r.Host, r.TLS, r.RemoteAddr
		for k, v := range op.Headers {
			sub.Header.Set(k, v)
		}
		subs[i] = sub
		rows = append(rows, in)
		rowOp = append(rowOp, i)
	}
	ids, rowErrs, err := s.records.CreateMany(ctx, e.Name, rows)
	if err != nil {
		for _, i := range rowOp {
			failed[ops[i].ID] = true
			results[i] = errorResult(ops[i].ID, err)
		}
		return results
	}
	// The created records as the read path gives them, and their duplicate candidates.
	var created []string
	for k, id := range ids {
		if rowErrs[k] == nil && id != "" {
			created = append(created, id)
		}
	}
	recs, err := s.records.GetMany(ctx, e.Name, created)
	if err != nil {
		s.log.WarnContext(ctx, "batch creates: reading the created records back", "entity", e.Name, "err", err)
	}
	var dups map[string][]dedupe.Candidate
	if s.Dedupe != nil && slices.Contains(dedupe.Entities, e.Name) && len(recs) > 0 {
		dups = s.batchDuplicates(ctx, e, created, recs)
	}
	for k, i := range rowOp {
		op := ops[i]
		if rowErrs[k] != nil {
			failed[op.ID] = true
			results[i] = errorResult(op.ID, rowErrs[k])
			continue
		}
		buf := &bufferedResponse{header: http.Header{}}
		if rec := recs[ids[k]]; rec != nil {
			s.created(buf, subs[i], e, rec, false, dups[ids[k]])
		} else { // created, but not readable by the caller
			buf.header.Set("Location", s.apiRoot()+e.SetName+"("+ids[k]+")")
			buf.WriteHeader(http.StatusCreated)
		}
		results[i] = resultOf(op, buf, locations, failed)
	}
	return results
}

// batchDuplicates looks up the duplicate candidates of records just created by one bulk write
// (after its commit), by id; a failing look-up costs the warnings, not the records.
func (s *Server) batchDuplicates(ctx context.Context, e *metadata.Entity, ids []string, recs map[string]*records.Record) map[string][]dedupe.Candidate {
	var look []string
	var vals []map[string]any
	for _, id := range ids {
		if rec := recs[id]; rec != nil {
			look = append(look, id)
			vals = append(vals, rec.Map())
		}
	}
	found, err := s.Dedupe.FindMany(ctx, e.Name, look, vals, createCandidates) // as a single create looks
	if err != nil {
		s.log.WarnContext(ctx, "batch creates: duplicate look-up failed; the records are created", "entity", e.Name, "err", err)
		return nil
	}
	out := make(map[string][]dedupe.Candidate, len(look))
	for k, id := range look {
		out[id] = found[k]
	}
	return out
}
