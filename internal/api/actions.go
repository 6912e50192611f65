package api

import (
	"context"
	"net/http"

	"github.com/meridian-crm/meridian/internal/dedupe"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/routing"
	"github.com/meridian-crm/meridian/internal/sales"
	"github.com/meridian-crm/meridian/internal/service"
)

// A processAction is a bound action that moves one record through a business process
// (POST <set>(<id>)/<action>). It decodes its body itself (decode fills a pointer to its
// parameters) and answers with a record or a result document.
type processAction struct {
	params func() any
	run    func(ctx context.Context, sv services, id, ifMatch string, params any) (any, error)
}

// services are what the actions run on.
type services struct {
	sales     *sales.Service
	cases     *service.Cases
	knowledge *service.Knowledge
	articles  *service.Articles
	dedupe    *dedupe.Service
	routing   *routing.Router
}

// routeAction applies the assignment rules to a lead or case on demand.
func routeAction(entity string) processAction {
	return processAction{params: func() any { return &noParams{} }, run: func(ctx context.Context, sv services, id, _ string, _ any) (any, error) {
		res, err := sv.routing.Route(ctx, entity, id)
		if err != nil {
			return nil, err
		}
		if !res.Routed {
			return nil, fault.New(fault.Conflict, "no_rule_matched", "no active assignment rule matches this record")
		}
		return res.Record, nil
	}}
}

type leadDisqualify struct {
	Reason string `json:"reason"`
}

type noParams struct{}

// mergeAction is the bound action that merges records of entity into the one addressed
// (dedupe.Merge).
func mergeAction(entity string) processAction {
	return processAction{params: func() any { return &dedupe.MergeInput{} }, run: func(ctx context.Context, sv services, id, ifMatch string, p any) (any, error) {
		if sv.dedupe == nil {
			return nil, fault.New(fault.NotFound, "not_found", "merging is not available on this server")
		}
		in := p.(*dedupe.MergeInput)
		in.IfMatch = ifMatch
		return sv.dedupe.Merge(ctx, entity, id, *in)
	}}
}

// processActions are the bound actions per entity (documented in internal/apidoc).
var processActions = map[string]map[string]processAction{
	"account": {"merge": mergeAction("account")},
	"contact": {"merge": mergeAction("contact")},
	"lead": {
		"merge": mergeAction("lead"),
		"qualify": {params: func() any { return &sales.QualifyOptions{} }, run: func(ctx context.Context, sv services, id, ifMatch string, p any) (any, error) {
			o := p.(*sales.QualifyOptions)
			o.IfMatch = ifMatch
			return sv.sales.Qualify(ctx, id, *o)
		}},
		"disqualify": {params: func() any { return &leadDisqualify{} }, run: func(ctx context.Context, sv services, id, ifMatch string, p any) (any, error) {
			return sv.sales.Disqualify(ctx, id, p.(*leadDisqualify).Reason, ifMatch)
		}},
		"reactivate": {params: func() any { return &noParams{} }, run: func(ctx context.Context, sv services, id, ifMatch string, _ any) (any, error) {
			return sv.sales.Reactivate(ctx, id, ifMatch)
		}},
		"route": routeAction("lead"),
	},
	"opportunity": {
		"close": {params: func() any { return &sales.CloseOptions{} }, run: func(ctx context.Context, sv services, id, ifMatch string, p any) (any, error) {
			o := p.(*sales.CloseOptions)
			o.IfMatch = ifMatch
			return sv.sales.Close(ctx, id, *o)
		}},
		"reopen": {params: func() any { return &noParams{} }, run: func(ctx context.Context, sv services, id, ifMatch string, _ any) (any, error) {
			return sv.sales.Reopen(ctx, id, ifMatch)
		}},
	},
	"case": {
		"resolve": {params: func() any { return &service.ResolveOptions{} }, run: func(ctx context.Context, sv services, id, ifMatch string, p any) (any, error) {
			o := p.(*service.ResolveOptions)
			o.IfMatch = ifMatch
			return sv.cases.Resolve(ctx, id, *o)
		}},
		"reopen": {params: func() any { return &noParams{} }, run: func(ctx context.Context, sv services, id, ifMatch string, _ any) (any, error) {
			return sv.cases.Reopen(ctx, id, ifMatch)
		}},
		"cancel": {params: func() any { return &noParams{} }, run: func(ctx context.Context, sv services, id, ifMatch string, _ any) (any, error) {
			return sv.cases.Cancel(ctx, id, ifMatch)
		}},
		"pick": {params: func() any { return &noParams{} }, run: func(ctx context.Context, sv services, id, _ string, _ any) (any, error) {
			return sv.cases.Pick(ctx, id)
		}},
		"route": routeAction("case"),
		"use_article": {params: func() any { return &service.UseArticleOptions{} }, run: func(ctx context.Context, sv services, id, _ string, p any) (any, error) {
			return sv.articles.UseArticle(ctx, id, *p.(*service.UseArticleOptions))
		}},
	},
	"knowledge_article": {
		"submit": {params: func() any { return &noParams{} }, run: func(ctx context.Context, sv services, id, ifMatch string, _ any) (any, error) {
			return sv.knowledge.Submit(ctx, id, ifMatch)
		}},
		"approve": approveArticle,
		"publish": approveArticle,
		"reject": {params: func() any { return &service.RejectOptions{} }, run: func(ctx context.Context, sv services, id, ifMatch string, p any) (any, error) {
			o := p.(*service.RejectOptions)
			o.IfMatch = ifMatch
			return sv.knowledge.Reject(ctx, id, *o)
		}},
		"archive": {params: func() any { return &noParams{} }, run: func(ctx context.Context, sv services, id, ifMatch string, _ any) (any, error) {
			return sv.knowledge.Archive(ctx, id, ifMatch)
		}},
		"new_version": {params: func() any { return &noParams{} }, run: func(ctx context.Context, sv services, id, _ string, _ any) (any, error) {
			return sv.knowledge.NewVersion(ctx, id)
		}},
	},
}

// approveArticle publishes an article in review ("publish" is the same action).
var approveArticle = processAction{params: func() any { return &noParams{} }, run: func(ctx context.Context, sv services, id, ifMatch string, _ any) (any, error) {
	return sv.knowledge.Approve(ctx, id, ifMatch)
}}

func hasProcessAction(e *metadata.Entity, name string) bool {
	_, ok := processActions[e.Name][name]
	return ok
}

// processAction serves POST <set>(<id>)/<action>: an empty body is no parameters.
func (s *Server) processAction(w http.ResponseWriter, r *http.Request, e *metadata.Entity, id string, a processAction) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Code: "method_not_allowed",
			Message: r.Method + " is not allowed here (allowed: POST)"}})
		return
	}
	params := a.params()
	if err := s.decodeStrict(w, r, params); err != nil && !emptyBody(err) {
		s.writeError(w, r, err)
		return
	}
	sv := services{sales: sales.New(s.records), cases: service.NewCases(s.records), knowledge: service.NewKnowledge(s.records),
		articles: s.articles(), dedupe: s.Dedupe, routing: routing.New(s.records)}
	out, err := a.run(r.Context(), sv, id, r.Header.Get("If-Match"), params)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if rec, ok := out.(*records.Record); ok {
		s.writeRecord(w, r, http.StatusOK, rec.Entity.SetName, rec)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// emptyBody reports whether a decode error says the body was empty.
func emptyBody(err error) bool {
	f, ok := fault.As(err)
	return ok && f.Code == "invalid_json" && f.Message == emptyBodyMessage
}
