package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/dedupe"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/store"
)

// prefer holds the Prefer header preferences Meridian honours.
type prefer struct {
	maxPageSize    int
	trackChanges   bool
	representation bool // return=representation
	minimal        bool // return=minimal
}

func parsePrefer(h []string) prefer {
	var p prefer
	for _, line := range h {
		for _, part := range strings.Split(line, ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "odata.maxpagesize", "maxpagesize":
				p.maxPageSize, _ = strconv.Atoi(strings.Trim(v, `" `))
			case "odata.track-changes", "track-changes":
				p.trackChanges = true
			case "return":
				p.representation = v == "representation"
				p.minimal = v == "minimal"
			}
		}
	}
	return p
}

// origin is what the links the API emits (@odata.context, @odata.nextLink, @odata.deltaLink,
// Location, OData-EntityId, the OpenAPI server) start with: MERIDIAN_PUBLIC_URL when it is
// configured, else nothing, and the links are relative to this server ("/api/v1/…"). The
// request's Host header is never used: anyone can forge it, and a link built from it would send
// a client that follows it — and its credentials — to another host.
func (s *Server) origin() string { return strings.TrimRight(s.PublicURL, "/") }

// apiRoot is the service root the links start with.
func (s *Server) apiRoot() string { return s.origin() + "/api/v1/" }

// odata routes every resource path below /api/v1/ that is not a fixed route.
func (s *Server) odata(w http.ResponseWriter, r *http.Request) {
	res, err := parseResource(strings.TrimPrefix(r.URL.EscapedPath(), "/api/v1/"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	m, err := s.model(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e := m.EntityBySet(res.Set)
	if e == nil {
		s.writeError(w, r, fault.Newf(fault.NotFound, "unknown_entity_set", "%s is not an entity set (see /api/v1/$metadata)", res.Set))
		return
	}
	switch {
	case res.Ref:
		s.ref(w, r, e, res)
	case res.HasNav && res.HasKey && res.Key == nil && !res.Ref && res.Nav == "timeline" && s.hasTimeline(m, e):
		s.timeline(w, r, e, res.ID)
	case res.HasNav && res.HasKey && res.Key == nil && !res.Ref && res.Nav == "suggested_articles" && e.Name == "case" && s.Search != nil:
		s.suggestedArticles(w, r, res.ID)
	case res.HasNav && res.HasKey && res.Key == nil && !res.Ref && hasProcessAction(e, res.Nav) && m.Nav(e, res.Nav) == nil:
		s.processAction(w, r, e, res.ID, processActions[e.Name][res.Nav])
	case res.HasNav && res.HasKey && res.Key == nil && !res.Ref && s.Access != nil && recordActions[res.Nav] && m.Nav(e, res.Nav) == nil:
		s.recordAction(w, r, e, res.ID, res.Nav)
	case res.HasNav:
		s.methods(w, r, map[string]http.HandlerFunc{"GET": func(w http.ResponseWriter, r *http.Request) { s.related(w, r, e, res) }})
	case res.HasKey && res.Key != nil:
		s.methods(w, r, map[string]http.HandlerFunc{
			"GET":    func(w http.ResponseWriter, r *http.Request) { s.getByKey(w, r, e, res) },
			"PATCH":  func(w http.ResponseWriter, r *http.Request) { s.upsert(w, r, e, res) },
			"DELETE": func(w http.ResponseWriter, r *http.Request) { s.deleteByKey(w, r, e, res) },
		})
	case res.HasKey:
		s.methods(w, r, map[string]http.HandlerFunc{
			"GET":    func(w http.ResponseWriter, r *http.Request) { s.get(w, r, e, res.ID) },
			"PATCH":  func(w http.ResponseWriter, r *http.Request) { s.update(w, r, e, res.ID) },
			"DELETE": func(w http.ResponseWriter, r *http.Request) { s.delete(w, r, e, res.ID) },
		})
	case res.Count:
		s.methods(w, r, map[string]http.HandlerFunc{"GET": func(w http.ResponseWriter, r *http.Request) { s.count(w, r, e) }})
	default:
		s.methods(w, r, map[string]http.HandlerFunc{
			"GET":  func(w http.ResponseWriter, r *http.Request) { s.list(w, r, e) },
			"POST": func(w http.ResponseWriter, r *http.Request) { s.create(w, r, e) },
		})
	}
}

func (s *Server) methods(w http.ResponseWriter, r *http.Request, hs map[string]http.HandlerFunc) {
	if h, ok := hs[r.Method]; ok {
		h(w, r)
		return
	}
	allowed := make([]string, 0, len(hs))
	for m := range hs {
		allowed = append(allowed, m)
	}
	sort.Strings(allowed) // a stable Allow header, not map order
	w.Header().Set("Allow", strings.Join(allowed, ", "))
	writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Code: "method_not_allowed",
		Message: r.Method + " is not allowed here (allowed: " + strings.Join(allowed, ", ") + ")"}})
}

func options(r *http.Request) (*query.Options, error) {
	o, err := query.ParseOptions(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	if isJSON(o.Format) {
		o.Format = ""
	}
	return o, nil
}

func isJSON(format string) bool {
	f := strings.ToLower(format)
	return f == "" || f == "json" || strings.HasPrefix(f, "application/json")
}

// jsonOptions parses the query options of a read that answers in JSON only.
func jsonOptions(r *http.Request) (*query.Options, error) {
	o, err := options(r)
	if err != nil {
		return nil, err
	}
	if o.Format != "" {
		return nil, fault.Field("$format", "unsupported_format", "$format=%s is only available on entity set reads; use json", o.Format)
	}
	return o, nil
}

// decodeBody reads a JSON object body within the size limit.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request) (records.Input, error) {
	b, err := s.readJSON(w, r, s.limits.MaxBodyBytes)
	if err != nil {
		return nil, err
	}
	return decodeInput(b)
}

func decodeInput(body []byte) (records.Input, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var in records.Input
	if err := dec.Decode(&in); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fault.New(fault.Invalid, "invalid_json", "the request body is empty; send a JSON object")
		}
		return nil, fault.Newf(fault.Invalid, "invalid_json", "the request body is not a JSON object: %v", err)
	}
	if in == nil {
		return nil, fault.New(fault.Invalid, "invalid_json", "the request body must be a JSON object")
	}
	if dec.More() {
		return nil, fault.New(fault.Invalid, "invalid_json", "the request body has data after the JSON object")
	}
	return in, nil
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, e *metadata.Entity) {
	o, err := options(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if o.Format != "" {
		s.export(w, r, e, o)
		return
	}
	pf := parsePrefer(r.Header.Values("Prefer"))
	// The order of text depends on the reader's language: caches must key on it.
	w.Header().Add("Vary", "Accept-Language")
	page, err := s.records.List(r.Context(), e.Name, o, records.ReadOptions{PageSize: pf.maxPageSize, TrackChange: pf.trackChanges,
		Collation: collation(r)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var applied []string
	if pf.maxPageSize > 0 {
		size := pf.maxPageSize
		if m := s.records.MaxPageSize; m > 0 && size > m {
			size = m // report the page size served, not the one asked for
		}
		applied = append(applied, "odata.maxpagesize="+strconv.Itoa(size))
	}
	if pf.trackChanges || o.DeltaToken != "" {
		applied = append(applied, "odata.track-changes")
	}
	if len(applied) > 0 {
		w.Header().Set("Preference-Applied", strings.Join(applied, ","))
	}
	s.writePage(w, r, e.SetName, page)
}

// writePage writes a collection with count, next and delta links.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, set string, page *records.Page) {
	j := &jsonWriter{b: make([]byte, 0, 256+len(page.Records)*512)}
	j.raw("{")
	j.key("@odata.context")
	ctx := s.apiRoot() + "$metadata#" + set
	if page.Aggregated {
		ctx += "(aggregated)"
	} else if page.Delta != "" && r.URL.Query().Get("$deltatoken") != "" || page.DeltaNext != "" {
		ctx += "/$delta"
	}
	j.str(ctx)
	if page.Count != nil {
		j.key("@odata.count")
		j.b = strconv.AppendInt(j.b, *page.Count, 10)
	}
	j.key("value")
	j.raw("[")
	for i, rec := range page.Records {
		if i > 0 {
			j.raw(",")
		}
		j.record(rec, "")
	}
	for i, id := range page.Removed {
		if i > 0 || len(page.Records) > 0 {
			j.raw(",")
		}
		j.raw(`{"@removed":{"reason":"deleted"},"@id":`)
		j.str(set + "(" + id + ")")
		j.raw(`,"id":`)
		j.str(id)
		j.raw("}")
	}
	j.raw("]")
	if page.Next != "" {
		j.key("@odata.nextLink")
		if page.Aggregated {
			// Aggregated pages are offset-based: the token is an offset counted with $skip and $top.
			j.str(s.linkWith(r, "$skiptoken", page.Next))
		} else {
			// Keyset pages: the token carries the position and the $top still to serve.
			j.str(s.linkWith(r, "$skiptoken", page.Next, "$skip", "$top"))
		}
	}
	if page.DeltaNext != "" {
		j.key("@odata.nextLink")
		j.str(s.linkWith(r, "$deltatoken", page.DeltaNext, "$skiptoken"))
	}
	if page.Delta != "" {
		j.key("@odata.deltaLink")
		j.str(s.linkWith(r, "$deltatoken", page.Delta, "$skiptoken", "$skip", "$top", "$count", "$orderby"))
	}
	j.raw("}")
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; charset=utf-8")
	w.Header().Set("OData-Version", "4.0")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(j.b)
}

// linkWith returns a link to the request's own path (after origin) with param set to value and
// the drop parameters removed, keeping every other parameter as the client sent it.
func (s *Server) linkWith(r *http.Request, param, value string, drop ...string) string {
	var kept []string
	for _, part := range strings.Split(r.URL.RawQuery, "&") {
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		if dk, err := url.QueryUnescape(k); err == nil {
			k = dk
		}
		skip := k == param
		for _, d := range drop {
			if strings.EqualFold(k, d) {
				skip = true
			}
		}
		if !skip {
			kept = append(kept, part)
		}
	}
	kept = append(kept, param+"="+url.QueryEscape(value)) // "$skiptoken=…", not "%24skiptoken=…"
	return s.origin() + r.URL.EscapedPath() + "?" + strings.Join(kept, "&")
}

func (s *Server) count(w http.ResponseWriter, r *http.Request, e *metadata.Entity) {
	o, err := jsonOptions(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(o.Apply) > 0 || o.DeltaToken != "" {
		s.writeError(w, r, fault.New(fault.Invalid, "invalid_query", "/$count takes only $filter (and $search); use $apply or $deltatoken on the entity set"))
		return
	}
	// Only the count is wanted: read at most one row, without expanding it.
	one := 1
	o.Count, o.Top, o.Skip, o.SkipToken, o.Select, o.Expand, o.OrderBy = true, &one, nil, "", nil, nil, nil
	page, err := s.records.List(r.Context(), e.Name, o, records.ReadOptions{})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(strconv.FormatInt(*page.Count, 10)))
}

func (s *Server) writeRecord(w http.ResponseWriter, r *http.Request, status int, set string, rec *records.Record) {
	s.writeRecordWith(w, r, status, set, rec, "", nil)
}

// writeRecordWith is writeRecord with an instance annotation (name, value) after the record's
// values ("" for none).
func (s *Server) writeRecordWith(w http.ResponseWriter, r *http.Request, status int, set string, rec *records.Record, name string, value any) {
	j := &jsonWriter{b: make([]byte, 0, 1024)}
	j.record(rec, s.apiRoot()+"$metadata#"+set+"/$entity")
	if name != "" {
		j.annotate(name, value)
	}
	if v := rec.Version(); v > 0 {
		w.Header().Set("ETag", records.ETag(v))
	}
	w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; charset=utf-8")
	w.Header().Set("OData-Version", "4.0")
	w.WriteHeader(status)
	_, _ = w.Write(j.b)
}

func (s *Server) get(w http.ResponseWriter, r *http.Request, e *metadata.Entity, id string) {
	o, err := jsonOptions(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rec, err := s.records.Get(r.Context(), e.Name, id, o)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if etag := records.ETag(rec.Version()); noneMatchFails(r.Header.Get("If-None-Match"), etag) {
		w.Header().Set("ETag", etag)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	s.writeRecord(w, r, http.StatusOK, e.SetName, rec)
}

// noneMatchFails reports whether an If-None-Match header ("*" or a list of ETags) matches etag,
// so that a GET answers 304.
func noneMatchFails(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		if tag = strings.TrimSpace(tag); tag == "*" || tag == etag {
			return true
		}
	}
	return false
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, e *metadata.Entity) {
	in, err := s.decodeBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	strict := duplicateCheck(r.Header.Values("Prefer")) == "strict"
	rec, dups, err := s.createChecked(r, e, in, strict, !parsePrefer(r.Header.Values("Prefer")).minimal)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.created(w, r, e, rec, strict, dups)
}

// created answers a create of rec: 201 with the record (and its duplicate candidates, when
// looked up), or 204 with return=minimal; Location names the record either way.
func (s *Server) created(w http.ResponseWriter, r *http.Request, e *metadata.Entity, rec *records.Record, strict bool, dups []dedupe.Candidate) {
	if strict {
		w.Header().Set("Preference-Applied", "meridian.duplicate-check=strict")
	}
	loc := s.apiRoot() + e.SetName + "(" + rec.ID() + ")"
	w.Header().Set("Location", loc)
	if parsePrefer(r.Header.Values("Prefer")).minimal {
		w.Header().Set("OData-EntityId", loc)
		w.Header().Set("ETag", records.ETag(rec.Version()))
		w.Header().Set("Preference-Applied", "return=minimal")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if dups != nil {
		s.writeRecordWith(w, r, http.StatusCreated, e.SetName, rec, duplicatesAnnotation, dups)
		return
	}
	s.writeRecord(w, r, http.StatusCreated, e.SetName, rec)
}

func (s *Server) update(w http.ResponseWriter, r *http.Request, e *metadata.Entity, id string) {
	in, err := s.decodeBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rec, err := s.records.Update(store.Grouped(r.Context()), e.Name, id, in, r.Header.Get("If-Match"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.afterWrite(w, r, e, rec, http.StatusOK)
}

// afterWrite answers a PATCH: 204 with the new ETag, or the record with return=representation.
func (s *Server) afterWrite(w http.ResponseWriter, r *http.Request, e *metadata.Entity, rec *records.Record, status int) {
	if parsePrefer(r.Header.Values("Prefer")).representation {
		w.Header().Set("Preference-Applied", "return=representation")
		s.writeRecord(w, r, status, e.SetName, rec)
		return
	}
	w.Header().Set("ETag", records.ETag(rec.Version()))
	w.Header().Set("OData-EntityId", s.apiRoot()+e.SetName+"("+rec.ID()+")")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) delete(w http.ResponseWriter, r *http.Request, e *metadata.Entity, id string) {
	if err := s.records.Delete(store.Grouped(r.Context()), e.Name, id, r.Header.Get("If-Match")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
