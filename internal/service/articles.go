package service

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/query"
	"github.com/meridian-crm/meridian/internal/records"
	"github.com/meridian-crm/meridian/internal/search"
)

// Searcher is the full-text search the knowledge base runs on (search.Index).
type Searcher interface {
	Search(ctx context.Context, rd search.Reader, r search.Request) ([]search.Hit, error)
}

// Articles finds knowledge articles for agents: the knowledge base search and the suggestions
// for a case. Everything is read as the caller, through the records read path.
type Articles struct {
	recs *records.Service
	idx  Searcher
}

// NewArticles returns the knowledge base search over recs and the search index.
func NewArticles(recs *records.Service, idx Searcher) *Articles {
	return &Articles{recs: recs, idx: idx}
}

// ArticleQuery is a knowledge base search.
type ArticleQuery struct {
	Q string
	// Language keeps articles in this language ("en", "zh"); empty: every language.
	Language string
	Top      int
}

// published is the condition on the articles agents are shown: the published version of each
// article (publishing a version archives the one before, so it is the latest published).
const published = "status eq 'published'"

func articleFilter(language string) (query.Expr, error) {
	f := published
	if language != "" {
		if language != "en" && language != "zh" {
			return nil, fault.Field("language", "invalid_language", "language must be en or zh")
		}
		f += " and language eq '" + language + "'"
	}
	return query.ParseFilter(f)
}

// Search returns the published articles matching any word of q.Q, best first (the articles
// matching more of its words, and rarer ones, in the title or keywords above the body).
func (a *Articles) Search(ctx context.Context, q ArticleQuery) ([]search.Hit, error) {
	f, err := articleFilter(q.Language)
	if err != nil {
		return nil, err
	}
	return a.idx.Search(ctx, a.recs, search.Request{Q: q.Q, Sets: []string{"knowledge_articles"}, Top: q.Top, Any: true, Filter: f})
}

// Suggestion is an article suggested for a case, and why.
type Suggestion struct {
	ID            string  `json:"id"`
	Title         string  `json:"title"`
	ArticleNumber string  `json:"article_number,omitempty"`
	Language      string  `json:"language,omitempty"`
	Snippet       string  `json:"snippet,omitempty"`
	Score         float64 `json:"score"`
	// Reasons are "matches_text" (the case's title and description match the article) and
	// "solved_similar_cases" (resolved cases like this one were answered with it).
	Reasons []string `json:"reasons"`
	// SolvedCases is how many of the similar resolved cases were answered with the article.
	SolvedCases int `json:"solved_cases"`
	// Reason says the reasons in English, e.g. "solved 2 similar cases; matches text".
	Reason string `json:"reason"`
	// Linked says the article is linked to the case already.
	Linked bool `json:"linked"`
}

// How the two sources of suggestions weigh: a text match counts up to 1 (the best one 1), and
// each similar resolved case answered with the article up to similarWeight (the most similar
// case similarWeight); an article in another language than the case's contact's counts
// otherLanguage times as much.
const (
	similarWeight = 1.0
	otherLanguage = 0.5
	// similarCases is how many similar resolved cases are looked at.
	similarCases = 20
)

// Suggest returns up to top published articles for case id, best first, combining a search of
// the case's title and description in the knowledge base with the articles linked to the
// resolved cases most similar to it.
func (a *Articles) Suggest(ctx context.Context, id string, top int) ([]Suggestion, error) {
	if top <= 0 {
		top = 5
	}
	cs, err := a.recs.Get(ctx, "case", id, nil)
	if err != nil {
		return nil, fmt.Errorf("service: suggest: %w", err)
	}
	text := strings.TrimSpace(fmt.Sprint(cs.Get("title"), " ", orEmpty(cs.Get("description"))))
	byID := map[string]*Suggestion{}
	get := func(id string) *Suggestion {
		if byID[id] == nil {
			byID[id] = &Suggestion{ID: id}
		}
		return byID[id]
	}
	f, _ := articleFilter("")
	hits, err := a.idx.Search(ctx, a.recs, search.Request{Q: text, Sets: []string{"knowledge_articles"}, Top: 20, Any: true, Filter: f})
	if err != nil {
		return nil, fmt.Errorf("service: suggest: %w", err)
	}
	for _, h := range hits {
		s := get(h.ID)
		s.Score += h.Score / hits[0].Score
		s.Snippet = h.Snippet
		s.Reasons = append(s.Reasons, "matches_text")
	}
	if err := a.fromSimilarCases(ctx, cs.ID(), text, get); err != nil {
		return nil, fmt.Errorf("service: suggest: %w", err)
	}
	out, err := a.describe(ctx, cs, byID)
	if err != nil {
		return nil, fmt.Errorf("service: suggest: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	return out[:min(top, len(out))], nil
}

// fromSimilarCases adds to the suggestions the articles linked to the resolved cases most
// similar to text (other than the case itself), weighted by the similarity.
func (a *Articles) fromSimilarCases(ctx context.Context, self, text string, get func(string) *Suggestion) error {
	f, err := query.ParseFilter("status eq 'resolved' and id ne " + self)
	if err != nil {
		return err
	}
	similar, err := a.idx.Search(ctx, a.recs, search.Request{Q: text, Sets: []string{"cases"}, Top: similarCases, Any: true, Filter: f})
	if err != nil {
		if fault.Is(err, fault.Permission) {
			return nil // the caller may not read cases other than this one: no "similar cases"
		}
		return err
	}
	if len(similar) == 0 {
		return nil
	}
	// One read of the similar cases with their linked articles.
	ids := make([]string, len(similar))
	for i, c := range similar {
		ids[i] = c.ID
	}
	o, err := query.ParseOptions("$filter=" + url.QueryEscape("id in ("+strings.Join(ids, ", ")+")") + "&$select=id&$expand=knowledge_articles($select=id)")
	if err != nil {
		return err
	}
	o.Unordered = true
	page, err := a.recs.List(ctx, "case", o, records.ReadOptions{PageSize: len(ids)})
	if err != nil {
		return err
	}
	byCase := map[string][]*records.Record{}
	for _, r := range page.Records {
		byCase[r.ID()], _ = r.Expanded["knowledge_articles"].([]*records.Record)
	}
	for _, c := range similar {
		for _, r := range byCase[c.ID] {
			s := get(r.ID())
			s.Score += similarWeight * c.Score / similar[0].Score
			s.SolvedCases++
		}
	}
	return nil
}

// describe reads the suggested articles that are published (and that the caller may read),
// fills their title, language and reason, and weighs down those in another language than
// the case's contact's.
func (a *Articles) describe(ctx context.Context, cs *records.Record, byID map[string]*Suggestion) ([]Suggestion, error) {
	if len(byID) == 0 {
		return []Suggestion{}, nil
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	f, err := query.ParseFilter(published + " and id in (" + strings.Join(ids, ", ") + ")")
	if err != nil {
		return nil, err
	}
	page, err := a.recs.List(ctx, "knowledge_article", &query.Options{Filter: f, Unordered: true}, records.ReadOptions{PageSize: len(ids)})
	if err != nil {
		return nil, err
	}
	linked, err := a.linked(ctx, cs.ID())
	if err != nil {
		return nil, err
	}
	lang := a.contactLanguage(ctx, cs)
	out := make([]Suggestion, 0, len(page.Records))
	for _, r := range page.Records {
		s := byID[r.ID()]
		s.Title, s.ArticleNumber, s.Language = orEmpty(r.Get("title")), orEmpty(r.Get("article_number")), orEmpty(r.Get("language"))
		if lang != "" && s.Language != lang {
			s.Score *= otherLanguage
		}
		s.Linked = linked[s.ID]
		var why []string
		if s.SolvedCases > 0 {
			s.Reasons = append(s.Reasons, "solved_similar_cases")
			why = append(why, fmt.Sprintf("solved %d similar case%s", s.SolvedCases, plural(s.SolvedCases)))
		}
		if len(s.Reasons) > 0 && s.Reasons[0] == "matches_text" {
			why = append(why, "matches text")
		}
		s.Reason = strings.Join(why, "; ")
		out = append(out, *s)
	}
	return out, nil
}

// linked returns the articles linked to case id already.
func (a *Articles) linked(ctx context.Context, id string) (map[string]bool, error) {
	page, _, err := a.recs.Related(ctx, "case", id, "knowledge_articles", &query.Options{Select: []query.Path{{Segments: []string{"id"}}}}, records.ReadOptions{PageSize: 200})
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range page.Records {
		out[r.ID()] = true
	}
	return out, nil
}

// contactLanguage returns the preferred language of the case's contact, "" when unknown or not
// readable by the caller.
func (a *Articles) contactLanguage(ctx context.Context, cs *records.Record) string {
	id, _ := cs.Get("contact_id").(string)
	if id == "" {
		return ""
	}
	c, err := a.recs.Get(ctx, "contact", id, &query.Options{Select: []query.Path{{Segments: []string{"preferred_language"}}}})
	if err != nil {
		return ""
	}
	return orEmpty(c.Get("preferred_language"))
}

// UseArticleOptions link an article that answered a case.
type UseArticleOptions struct {
	ArticleID string `json:"article_id"`
	// Note, when given, is added to the case's timeline as a note naming the article.
	Note string `json:"note,omitempty"`
}

// UseArticle links a published article to case id ("this answered it") and, with a note,
// adds the note to the case, in one transaction. It answers the article.
func (a *Articles) UseArticle(ctx context.Context, id string, o UseArticleOptions) (*records.Record, error) {
	if strings.TrimSpace(o.ArticleID) == "" {
		return nil, fault.Field("article_id", "required", "article_id names the article to link")
	}
	var art *records.Record
	err := a.recs.Store().WithTx(ctx, func(ctx context.Context) error {
		var err error
		if art, err = a.recs.Get(ctx, "knowledge_article", o.ArticleID, nil); err != nil {
			return err
		}
		if st := status(art); st != "published" {
			return fault.Newf(fault.Conflict, "article_not_published", "only a published article is linked to a case; this one is %s", st)
		}
		if err := a.recs.Associate(ctx, "case", id, "knowledge_articles", art.ID()); err != nil {
			return err
		}
		if note := strings.TrimSpace(o.Note); note != "" {
			_, err = a.recs.Create(ctx, "note", records.Input{"subject": "Knowledge article " + orEmpty(art.Get("article_number")) + ": " + orEmpty(art.Get("title")),
				"description": note, "regarding_id": id, "regarding_type": "case"})
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("service: use_article: %w", err)
	}
	return art, nil
}

func orEmpty(v any) string { s, _ := v.(string); return s }

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
