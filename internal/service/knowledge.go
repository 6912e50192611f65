package service

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/principal"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
)

// The knowledge base workflow: an article is written as a draft, submitted for review, approved
// (published) or rejected back to draft with a comment, and archived when it is withdrawn. A
// published article is never edited: new_version copies it into a draft with the next version
// number, linked to the same root article (root_article_id; the root itself has none), and
// publishing that version archives the version published before it. At most one version of a
// root is published at any time, and at most one is being written (draft or review).
//
// Who may publish: the right to update knowledge articles (checked by the records service, as
// for every write), and not being the author (created_by) of the version under review — a
// second pair of eyes — unless the caller is a tenant administrator.

const article = "knowledge_article"

// Knowledge runs the knowledge article actions.
type Knowledge struct {
	recs *records.Service
}

// NewKnowledge returns the knowledge article actions over the records service.
func NewKnowledge(recs *records.Service) *Knowledge { return &Knowledge{recs: recs} }

// workflowKey marks a write made by a workflow step, which may change what plain updates may
// not (the status, the version fields).
type workflowKey struct{}

func inWorkflow(ctx context.Context) bool { v, _ := ctx.Value(workflowKey{}).(bool); return v }

// guarded are the attributes a plain update of a published or archived article may not change.
var guarded = []string{"title", "content", "keywords", "language"}

// WireKnowledge registers the rules plain writes of knowledge articles follow: the status and
// the version fields change only through the workflow actions, a published or archived
// article's text is not edited (make a new version), and an article is created as a draft
// unless an administrator creates it (imports, demo data).
func WireKnowledge(recs *records.Service) {
	recs.Register(records.Hook{Name: "service.article_workflow", Entity: article, React: records.EachChange(func(ctx context.Context, c records.Change) error {
		if c.After == nil || inWorkflow(ctx) {
			return nil
		}
		if c.Before == nil {
			if st, _ := c.After["status"].(string); st != "draft" && st != "" {
				if p, _ := principal.From(ctx); !p.Admin {
					return fault.Field("status", "status_by_action", "a new article is a draft; it is published through submit and approve")
				}
			}
			return nil
		}
		for _, k := range []string{"status", "version_number", "root_article_id", "published_at"} {
			if !reflect.DeepEqual(c.Before[k], c.After[k]) {
				return fault.New(fault.Conflict, "status_by_action", "the status and version of an article change through its actions (submit, approve, reject, archive, new_version)")
			}
		}
		if st, _ := c.Before["status"].(string); st == "published" || st == "archived" {
			for _, k := range guarded {
				if !reflect.DeepEqual(c.Before[k], c.After[k]) {
					return fault.Newf(fault.Conflict, "article_"+st, "a %s article is not edited; make a new version of it (new_version)", st)
				}
			}
		}
		return nil
	})})
}

// Submit sends a draft for review.
func (k *Knowledge) Submit(ctx context.Context, id, ifMatch string) (*records.Record, error) {
	return k.step(ctx, id, ifMatch, "submit", "draft", func(ctx context.Context, _ *records.Record) (records.Input, error) {
		return records.Input{"status": "review"}, nil
	})
}

// Approve publishes an article in review (published_at now) and archives the version of the same
// root published before it. The author of the version may not approve it, unless an administrator.
func (k *Knowledge) Approve(ctx context.Context, id, ifMatch string) (*records.Record, error) {
	return k.step(ctx, id, ifMatch, "approve", "review", func(ctx context.Context, cur *records.Record) (records.Input, error) {
		p, _ := principal.From(ctx)
		if author, _ := cur.Get("created_by").(string); !p.Admin && author != "" && author == p.UserID {
			return nil, fault.New(fault.Permission, "own_article", "the author of an article may not approve it; another editor (or an administrator) does")
		}
		if err := k.archivePublished(ctx, rootOf(cur), id); err != nil {
			return nil, err
		}
		return records.Input{"status": "published", "published_at": k.now(), "review_comment": nil}, nil
	})
}

// RejectOptions say why an article goes back to its author.
type RejectOptions struct {
	Comment string `json:"comment"`
	IfMatch string `json:"-"`
}

// Reject sends an article in review back to draft with the reviewer's comment.
func (k *Knowledge) Reject(ctx context.Context, id string, o RejectOptions) (*records.Record, error) {
	if strings.TrimSpace(o.Comment) == "" {
		return nil, fault.Field("comment", "required", "a comment saying what to change is required to reject an article")
	}
	return k.step(ctx, id, o.IfMatch, "reject", "review", func(context.Context, *records.Record) (records.Input, error) {
		return records.Input{"status": "draft", "review_comment": strings.TrimSpace(o.Comment)}, nil
	})
}

// Archive withdraws a published article.
func (k *Knowledge) Archive(ctx context.Context, id, ifMatch string) (*records.Record, error) {
	return k.step(ctx, id, ifMatch, "archive", "published", func(context.Context, *records.Record) (records.Input, error) {
		return records.Input{"status": "archived"}, nil
	})
}

// NewVersion copies a published article into a new draft with the next version number of its
// root; the published version stays live until the new one is approved.
func (k *Knowledge) NewVersion(ctx context.Context, id string) (*records.Record, error) {
	return k.withArticle(ctx, id, "new_version", func(ctx context.Context, cur *records.Record) (*records.Record, error) {
		if st := status(cur); st != "published" {
			return nil, fault.Newf(fault.Conflict, "invalid_transition", "new_version copies a published article; this one is %s", st)
		}
		root := rootOf(cur)
		versions, err := k.versions(ctx, root, "")
		if err != nil {
			return nil, err
		}
		next := int64(0)
		for _, v := range versions {
			if st := status(v); st == "draft" || st == "review" {
				return nil, fault.Newf(fault.Conflict, "version_in_progress", "version %v of this article is being written already (%s)", v.Get("version_number"), st)
			}
			if n, _ := v.Get("version_number").(int64); n > next {
				next = n
			}
		}
		in := records.Input{"status": "draft", "version_number": next + 1, "root_article_id": root}
		for _, a := range []string{"title", "content", "keywords", "language"} {
			if v := cur.Get(a); v != nil {
				in[a] = v
			}
		}
		return k.recs.Create(ctx, article, in)
	})
}

// step moves an article in status from through one action: change computes the update from the
// current record, inside the transaction.
func (k *Knowledge) step(ctx context.Context, id, ifMatch, action, from string, change func(context.Context, *records.Record) (records.Input, error)) (*records.Record, error) {
	return k.withArticle(ctx, id, action, func(ctx context.Context, cur *records.Record) (*records.Record, error) {
		if st := status(cur); st != from {
			return nil, fault.Newf(fault.Conflict, "invalid_transition", "%s applies to an article in status %s; this one is %s", action, from, st)
		}
		in, err := change(ctx, cur)
		if err != nil {
			return nil, err
		}
		return k.recs.Update(ctx, article, id, in, ifMatch)
	})
}

// withArticle reads article id and runs fn on it as a workflow step, in one transaction.
func (k *Knowledge) withArticle(ctx context.Context, id, action string, fn func(context.Context, *records.Record) (*records.Record, error)) (*records.Record, error) {
	var out *records.Record
	ctx = context.WithValue(ctx, workflowKey{}, true)
	err := k.recs.Store().WithTx(ctx, func(ctx context.Context) error {
		cur, err := k.recs.Get(ctx, article, id, nil)
		if err != nil {
			return err
		}
		out, err = fn(ctx, cur)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("service: %s: %w", action, err)
	}
	return out, nil
}

// archivePublished archives the published versions of root other than except.
func (k *Knowledge) archivePublished(ctx context.Context, root, except string) error {
	vs, err := k.versions(ctx, root, "status eq 'published'")
	if err != nil {
		return err
	}
	for _, v := range vs {
		if v.ID() == except {
			continue
		}
		if _, err := k.recs.Update(ctx, article, v.ID(), records.Input{"status": "archived"}, ""); err != nil {
			return err
		}
	}
	return nil
}

// versions lists the versions of root (the root and the articles pointing at it) matching the
// extra filter, if any.
func (k *Knowledge) versions(ctx context.Context, root, filter string) ([]*records.Record, error) {
	f := fmt.Sprintf("(id eq %s or root_article_id eq %s)", root, root)
	if filter != "" {
		f += " and " + filter
	}
	expr, err := query.ParseFilter(f)
	if err != nil {
		return nil, err
	}
	page, err := k.recs.List(ctx, article, &query.Options{Filter: expr, Unordered: true}, records.ReadOptions{PageSize: 1000})
	if err != nil {
		return nil, err
	}
	return page.Records, nil
}

// rootOf returns the root article of a version (itself for the root).
func rootOf(r *records.Record) string {
	if root, _ := r.Get("root_article_id").(string); root != "" {
		return root
	}
	return r.ID()
}

func (k *Knowledge) now() string { return k.recs.Now().UTC().Format("2006-01-02T15:04:05.000Z") }
