package api

import (
	"net/http"
	"time"

	"github.com/meridian-crm/meridian/internal/fault"
)

type mfaVerifyRequest struct {
	Challenge string `json:"challenge"`
	Code      string `json:"code"` // a TOTP code or a recovery code
}

// verifyMFA completes a sign-in that answered mfa_required; the session comes the way the
// sign-in asked for it (token or cookie).
func (s *Server) verifyMFA(w http.ResponseWriter, r *http.Request) {
	var req mfaVerifyRequest
	if err := s.decodeStrict(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if req.Challenge == "" {
		s.writeError(w, r, fault.Field("challenge", "required", "challenge is required: the one the sign-in answered"))
		return
	}
	if req.Code == "" {
		s.writeError(w, r, fault.Field("code", "required", "code is required: a code from the authenticator app or a recovery code"))
		return
	}
	// The challenge may open a cookie session: like a cookie sign-in, it must come as JSON.
	if err := requireJSON(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.auth.VerifyMFA(r.Context(), req.Challenge, req.Code, s.limits.SessionTTL)
	// A challenge that names nobody was never a sign-in of anyone: nothing to audit.
	if err == nil || res.Email != "" {
		if aerr := s.auditLogin(r, "", res.Email, res.Principal, err); aerr != nil {
			s.writeError(w, r, aerr)
			return
		}
	}
	if err != nil {
		s.writeAuthError(w, r, err)
		return
	}
	s.signedIn(w, r, res)
}

type codeRequest struct {
	Code string `json:"code"`
}

func (s *Server) mfaStatus(w http.ResponseWriter, r *http.Request) {
	p, _ := principalOf(r)
	st, err := s.auth.MFA(r.Context(), p.TenantID, p.UserID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"totp": st.TOTP, "recovery_codes_left": st.RecoveryCodes})
}

// enrollTOTP starts a TOTP enrolment: the secret is shown here once and never again.
func (s *Server) enrollTOTP(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireSession(w, r)
	if !ok {
		return
	}
	enr, err := s.auth.EnrollTOTP(r.Context(), p.TenantID, p.UserID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusCreated, map[string]any{"secret": enr.Secret, "otpauth_url": enr.URL, "status": "pending",
		"note": "add the secret to an authenticator app (or show otpauth_url as a QR code), then confirm with a code: it is not shown again"})
}

func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request) {
	s.withCode(w, r, true, func(tenantID, userID, code string) (any, error) {
		codes, err := s.auth.ConfirmTOTP(r.Context(), tenantID, userID, code)
		return map[string]any{"totp": "active", "recovery_codes": codes,
			"note": "store the recovery codes now: each signs in once without the app, and they are not shown again"}, err
	})
}

func (s *Server) disableTOTP(w http.ResponseWriter, r *http.Request) {
	s.withCode(w, r, false, func(tenantID, userID, code string) (any, error) {
		return nil, s.auth.DisableTOTP(r.Context(), tenantID, userID, code)
	})
}

func (s *Server) regenerateRecoveryCodes(w http.ResponseWriter, r *http.Request) {
	s.withCode(w, r, true, func(tenantID, userID, code string) (any, error) {
		codes, err := s.auth.RegenerateRecoveryCodes(r.Context(), tenantID, userID, code)
		return map[string]any{"recovery_codes": codes}, err
	})
}

// withCode runs a second-factor change of the caller that takes {"code"}: 200 with fn's answer,
// or 204 when it has none.
func (s *Server) withCode(w http.ResponseWriter, r *http.Request, required bool, fn func(tenantID, userID, code string) (any, error)) {
	p, ok := s.requireSession(w, r)
	if !ok {
		return
	}
	var req codeRequest
	if err := s.decodeStrict(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if required && req.Code == "" {
		s.writeError(w, r, fault.Field("code", "required", "code is required: a current code from the authenticator app"))
		return
	}
	body, err := fn(p.TenantID, p.UserID, req.Code)
	if err != nil {
		s.writeAuthError(w, r, err)
		return
	}
	if body == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) lockState(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireAdmin(w, r)
	if !ok {
		return
	}
	l, err := s.auth.LockState(r.Context(), p.TenantID, r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var until *time.Time
	if l.Locked {
		u := l.Until.UTC()
		until = &u
	}
	writeJSON(w, http.StatusOK, map[string]any{"locked": l.Locked, "locked_until": until, "failures": l.Failures})
}

func (s *Server) unlockUser(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireAdmin(w, r)
	if !ok {
		return
	}
	if err := s.auth.Unlock(r.Context(), p.TenantID, r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// resetMFA removes a user's second factors (a lost device); the user enrols again.
func (s *Server) resetMFA(w http.ResponseWriter, r *http.Request) {
	p, ok := s.requireAdmin(w, r)
	if !ok {
		return
	}
	if err := s.auth.ResetMFA(r.Context(), p.TenantID, r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
