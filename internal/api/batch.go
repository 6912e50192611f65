package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
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
