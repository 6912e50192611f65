package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/search"
)

// searchHit is one result of GET /api/v1/search.
type searchHit struct {
	Entity  string  `json:"entity"`
	Set     string  `json:"set"`
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Snippet string  `json:"snippet,omitempty"`
	Score   float64 `json:"score"`
}

type searchResult struct {
	Value []searchHit `json:"value"`
	// Match is "any" when no record held every word of the query and the hits hold some of
	// them (a question typed in full); absent when they hold every word.
	Match string `json:"match,omitempty"`
}

// routeSearch serves the global search and the knowledge base search (knowledge.go).
func (s *Server) routeSearch(mux *http.ServeMux) {
	if s.Search == nil {
		return
	}
	mux.HandleFunc("GET /api/v1/search", s.search)
	mux.HandleFunc("GET /api/v1/knowledge_articles/$search", s.searchArticles)
}

// search answers GET /api/v1/search?q=…[&entities=accounts,contacts][&top=20]: the records the
// caller may read that match q, best first across entities.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	qs := r.URL.Query()
	req := search.Request{Q: qs.Get("q")}
	if v := strings.TrimSpace(qs.Get("entities")); v != "" {
		for _, set := range strings.Split(v, ",") {
			if set = strings.TrimSpace(set); set != "" {
				req.Sets = append(req.Sets, set)
			}
		}
	}
	if v := qs.Get("top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			s.writeError(w, r, fault.Field("top", "invalid_top", "top must be between 1 and 100"))
			return
		}
		req.Top = n
	}
	hits, err := s.Search.Search(r.Context(), s.records, req)
	match := ""
	if err == nil && len(hits) == 0 && len(strings.Fields(req.Q)) > 1 {
		// Nothing holds every word: the records holding the most (and rarest) of them instead.
		req.Any, match = true, "any"
		hits, err = s.Search.Search(r.Context(), s.records, req)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeHits(w, hits, match)
}

// writeHits answers search hits as {"value":[…]}.
func writeHits(w http.ResponseWriter, hits []search.Hit, match string) {
	out := searchResult{Value: make([]searchHit, len(hits)), Match: match}
	for i, h := range hits {
		out.Value[i] = searchHit{Entity: h.Entity.Name, Set: h.Entity.SetName, ID: h.ID, Title: h.Title, Snippet: h.Snippet, Score: h.Score}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}
