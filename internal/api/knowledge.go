package api

import (
	"net/http"
	"strconv"

	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/service"
)

// The knowledge base endpoints: the search agents use (published articles only) and the
// articles suggested for a case. The workflow actions are process actions (actions.go).

// articles returns the knowledge base search over the server's records and search index.
func (s *Server) articles() *service.Articles {
	if s.Search == nil {
		return service.NewArticles(s.records, nil)
	}
	return service.NewArticles(s.records, s.Search)
}

// searchArticles answers GET /api/v1/knowledge_articles/$search?q=…[&language=zh][&top=10].
func (s *Server) searchArticles(w http.ResponseWriter, r *http.Request) {
	qs := r.URL.Query()
	top, err := topParam(qs.Get("top"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	hits, err := s.articles().Search(r.Context(), service.ArticleQuery{Q: qs.Get("q"), Language: qs.Get("language"), Top: top})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeHits(w, hits, "")
}

// suggestedArticles answers GET /api/v1/cases(<id>)/suggested_articles[?top=5].
func (s *Server) suggestedArticles(w http.ResponseWriter, r *http.Request, id string) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Code: "method_not_allowed",
			Message: r.Method + " is not allowed here (allowed: GET)"}})
		return
	}
	top, err := topParam(r.URL.Query().Get("top"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.articles().Suggest(r.Context(), id, top)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

// topParam reads a top query parameter (1–100; 0 when absent).
func topParam(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 100 {
		return 0, fault.Field("top", "invalid_top", "top must be between 1 and 100")
	}
	return n, nil
}
