package api

import (
	"net/http"

	"github.com/meridian-crm/meridian/internal/service"
)

// routeIntake serves the inbound channels that turn messages into service work.
func (s *Server) routeIntake(mux *http.ServeMux) {
	mux.HandleFunc("POST /api/v1/intake/email", s.intakeEmail)
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
