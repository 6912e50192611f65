package api

import (
	"net/http"

	"github.com/meridian-crm/meridian/internal/routing"
	"github.com/meridian-crm/meridian/internal/service"
)

// routeIntake serves the inbound channels that turn messages into service work, and the bulk
// application of the assignment rules.
func (s *Server) routeIntake(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/intake/email", s.intakeEmail)
	mux.HandleFunc("POST /api/v1/assignment_rules/$apply", s.applyAssignmentRules)
}

type applyRequest struct {
	Entity string `json:"entity"`
	Filter string `json:"filter,omitempty"`
}

// applyAssignmentRules routes the leads or cases a filter selects, as POST <set>(<id>)/route
// would one by one.
func (s *Server) applyAssignmentRules(w http.ResponseWriter, r *http.Request) {
	var req applyRequest
	if err := s.decodeStrict(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	sum, err := routing.New(s.records).Apply(r.Context(), req.Entity, req.Filter)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sum)
}

// intakeEmail takes in one inbound email (JSON; see service.Message): a new case, an email on
// the case it answers, or nothing for a message seen before. It is for tenant administrators —
// a person, or the mailbox connector's API key with the write scope.
func (s *Server) intakeEmail(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireAdmin(w, r); !ok {
		return
	}
	var m service.Message
	if err := s.decodeStrict(w, r, &m); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := service.NewCases(s.records).Intake(r.Context(), m)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := http.StatusOK
	if res.Outcome == service.IntakeCreated {
		status = http.StatusCreated
	}
	writeJSON(w, status, res)
}
