package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/meridian-crm/meridian/internal/access"
	"github.com/meridian-crm/meridian/internal/audit"
	"github.com/meridian-crm/meridian/internal/auth"
	"github.com/meridian-crm/meridian/internal/fault"
	"github.com/meridian-crm/meridian/internal/metadata"
	"github.com/meridian-crm/meridian/internal/records"
)

// routeSecurity registers the security model's management endpoints: roles with their
// privileges and holders, access team templates, and the caller's own privileges. Business
// units, users and teams (with their members) are records of the records API.
func (s *Server) routeSecurity(mux *http.ServeMux) {
	if s.Access == nil {
		return
	}
	mux.HandleFunc("GET /api/v1/security/me", s.securityMe)
	mux.HandleFunc("POST /api/v1/security/users", s.createUser)
	mux.HandleFunc("GET /api/v1/security/roles", s.listRoles)
	mux.HandleFunc("POST /api/v1/security/roles", s.createRole)
	mux.HandleFunc("GET /api/v1/security/roles/{id}", s.getRole)
	mux.HandleFunc("DELETE /api/v1/security/roles/{id}", s.deleteRole)
	mux.HandleFunc("PUT /api/v1/security/roles/{id}/privileges", s.setPrivileges)
	mux.HandleFunc("GET /api/v1/security/roles/{id}/members", s.roleMembers)
	mux.HandleFunc("POST /api/v1/security/roles/{id}/members", s.addRoleMember)
	mux.HandleFunc("DELETE /api/v1/security/roles/{id}/members/{principal}", s.removeRoleMember)
	mux.HandleFunc("GET /api/v1/security/access-team-templates", s.listTemplates)
	mux.HandleFunc("POST /api/v1/security/access-team-templates", s.createTemplate)
	mux.HandleFunc("GET /api/v1/security/field-profiles", s.listProfiles)
	mux.HandleFunc("POST /api/v1/security/field-profiles", s.createProfile)
	mux.HandleFunc("GET /api/v1/security/field-profiles/{id}", s.getProfile)
	mux.HandleFunc("PUT /api/v1/security/field-profiles/{id}/permissions", s.setFieldPermissions)
	mux.HandleFunc("POST /api/v1/security/field-profiles/{id}/members", s.addProfileMember)
	mux.HandleFunc("DELETE /api/v1/security/field-profiles/{id}/members/{principal}", s.removeProfileMember)
}

// createUser serves POST /api/v1/security/users (administrators): the user record through the
// records service, its password through the auth service and its roles, in one transaction, so a
// refused password, an unknown role or a taken email leaves nothing behind.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Email          string   `json:"email"`
		FullName       string   `json:"full_name"`
		Password       string   `json:"password"`
		BusinessUnitID string   `json:"business_unit_id"`
		Roles          []string `json:"roles"`
	}
	if err := s.decodeStrict(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	admin, err := s.Access.IsAdmin(ctx)
	if err == nil && !admin {
		err = fault.New(fault.Permission, "admin_required", "only a tenant administrator may create users")
	}
	if err == nil {
		err = auth.CheckPasswordPolicy(body.Password, auth.PasswordUser{Email: body.Email, Name: body.FullName})
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	p, _ := principalOf(r)
	var rec *records.Record
	err = s.st.WithTx(ctx, func(ctx context.Context) error {
		in := records.Input{"email": strings.TrimSpace(body.Email), "full_name": body.FullName}
		if body.BusinessUnitID != "" {
			in["business_unit_id"] = body.BusinessUnitID
		}
		var err error
		if rec, err = s.records.Create(ctx, "user", in); err != nil {
			return err
		}
		for _, role := range body.Roles {
			if _, err := s.Access.Role(ctx, role); err != nil {
				if fault.Is(err, fault.NotFound) {
					return fault.Newf(fault.Invalid, "role_not_found", "no security role %s", role).WithTarget("roles")
				}
				return err
			}
			if err := s.Access.AssignRole(ctx, role, rec.ID()); err != nil {
				return err
			}
		}
		if err := s.auth.SetPassword(ctx, p.TenantID, rec.ID(), body.Password); err != nil {
			return err
		}
		if s.Audit == nil {
			return nil
		}
		return s.Audit.Event(ctx, audit.Event{Action: "credential_change", Entity: "user", RecordID: rec.ID(),
			Details: map[string]any{"change": "set_password", "by": "administrator"}})
	})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", s.apiRoot()+"users("+rec.ID()+")")
	s.writeRecord(w, r, http.StatusCreated, "users", rec)
}

func (s *Server) listProfiles(w http.ResponseWriter, r *http.Request) {
	ps, err := s.Access.Profiles(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ps == nil {
		ps = []*access.Profile{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": ps})
}

func (s *Server) createProfile(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name        string                   `json:"name"`
		Description string                   `json:"description"`
		Permissions []access.FieldPermission `json:"permissions"`
	}
	if err := s.decodeStrict(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Access.CreateProfile(r.Context(), body.Name, body.Description, body.Permissions)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", s.apiRoot()+"security/field-profiles/"+p.ID)
	writeJSON(w, http.StatusCreated, p)
}

func (s *Server) getProfile(w http.ResponseWriter, r *http.Request) {
	p, err := s.Access.Profile(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) setFieldPermissions(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Permissions []access.FieldPermission `json:"permissions"`
	}
	if err := s.decodeStrict(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.Access.SetFieldPermissions(r.Context(), r.PathValue("id"), body.Permissions)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) addProfileMember(w http.ResponseWriter, r *http.Request) {
	var body struct {
		PrincipalID string `json:"principal_id"`
	}
	if err := s.decodeStrict(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Access.AddProfileMember(r.Context(), r.PathValue("id"), body.PrincipalID); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) removeProfileMember(w http.ResponseWriter, r *http.Request) {
	if err := s.Access.RemoveProfileMember(r.Context(), r.PathValue("id"), r.PathValue("principal")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) securityMe(w http.ResponseWriter, r *http.Request) {
	d, err := s.Access.Describe(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) listRoles(w http.ResponseWriter, r *http.Request) {
	roles, err := s.Access.Roles(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if roles == nil {
		roles = []*access.Role{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": roles})
}

func (s *Server) createRole(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name        string         `json:"name"`
		Description string         `json:"description"`
		Admin       bool           `json:"is_admin"`
		Privileges  []access.Grant `json:"privileges"`
	}
	if err := s.decodeStrict(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	role, err := s.Access.CreateRoleWith(r.Context(), body.Name, body.Description, body.Admin, body.Privileges)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", s.apiRoot()+"security/roles/"+role.ID)
	writeJSON(w, http.StatusCreated, role)
}

func (s *Server) getRole(w http.ResponseWriter, r *http.Request) {
	role, err := s.Access.Role(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, role)
}

func (s *Server) deleteRole(w http.ResponseWriter, r *http.Request) {
	if err := s.Access.DeleteRole(r.Context(), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) setPrivileges(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Privileges []access.Grant `json:"privileges"`
	}
	if err := s.decodeStrict(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	role, err := s.Access.SetPrivileges(r.Context(), r.PathValue("id"), body.Privileges)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, role)
}

func (s *Server) roleMembers(w http.ResponseWriter, r *http.Request) {
	if _, err := s.Access.Role(r.Context(), r.PathValue("id")); err != nil {
		s.writeError(w, r, err)
		return
	}
	ids, err := s.Access.RoleMembers(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ids == nil {
		ids = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": ids})
}

func (s *Server) addRoleMember(w http.ResponseWriter, r *http.Request) {
	var body struct {
		PrincipalID string `json:"principal_id"`
	}
	if err := s.decodeStrict(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Access.AssignRole(r.Context(), r.PathValue("id"), body.PrincipalID); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) removeRoleMember(w http.ResponseWriter, r *http.Request) {
	if err := s.Access.RemoveRole(r.Context(), r.PathValue("id"), r.PathValue("principal")); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listTemplates(w http.ResponseWriter, r *http.Request) {
	ts, err := s.Access.Templates(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ts == nil {
		ts = []*access.Template{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": ts})
}

func (s *Server) createTemplate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Name   string   `json:"name"`
		Entity string   `json:"entity"`
		Rights []string `json:"rights"`
	}
	if err := s.decodeStrict(w, r, &body); err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.Access.CreateTemplate(r.Context(), body.Name, body.Entity, body.Rights)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, t)
}

// recordActions are the bound actions on one record that change who may access it.
var recordActions = map[string]bool{"assign": true, "shares": true, "unshare": true, "access_team_members": true, "remove_access_team_member": true}

// recordAction serves POST <set>(<id>)/assign, GET|POST <set>(<id>)/shares, POST …/unshare,
// GET|POST …/access_team_members and POST …/remove_access_team_member.
func (s *Server) recordAction(w http.ResponseWriter, r *http.Request, e *metadata.Entity, id, action string) {
	var body struct {
		OwnerID     string     `json:"owner_id"`
		PrincipalID string     `json:"principal_id"`
		Rights      []string   `json:"rights"`
		ExpiresAt   *time.Time `json:"expires_at"`
		TemplateID  string     `json:"template_id"`
		UserID      string     `json:"user_id"`
	}
	if r.Method == http.MethodPost {
		if err := s.decodeStrict(w, r, &body); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	ctx := r.Context()
	var err error
	switch {
	case action == "assign" && r.Method == http.MethodPost:
		if body.OwnerID == "" {
			err = fault.New(fault.Invalid, "required", "owner_id is required").WithTarget("owner_id")
			break
		}
		var rec *records.Record
		if rec, err = s.records.Assign(ctx, e.Name, id, body.OwnerID); err == nil {
			s.writeRecord(w, r, http.StatusOK, e.SetName, rec)
			return
		}
	case action == "shares" && r.Method == http.MethodGet:
		var shares []records.Share
		if shares, err = s.records.Shares(ctx, e.Name, id); err == nil {
			if shares == nil {
				shares = []records.Share{}
			}
			writeJSON(w, http.StatusOK, map[string]any{"value": shares})
			return
		}
	case action == "shares" && r.Method == http.MethodPost:
		var rights records.Rights
		if rights, err = records.ParseRights(body.Rights); err == nil {
			err = s.records.ShareRecord(ctx, e.Name, id, body.PrincipalID, rights, body.ExpiresAt)
		}
	case action == "unshare" && r.Method == http.MethodPost:
		err = s.records.Unshare(ctx, e.Name, id, body.PrincipalID)
	case action == "access_team_members" && r.Method == http.MethodGet:
		var ms []records.AccessTeamMember
		if ms, err = s.records.AccessTeamMembers(ctx, e.Name, id); err == nil {
			if ms == nil {
				ms = []records.AccessTeamMember{}
			}
			writeJSON(w, http.StatusOK, map[string]any{"value": ms})
			return
		}
	case action == "access_team_members" && r.Method == http.MethodPost:
		err = s.records.AddAccessTeamMember(ctx, e.Name, id, body.TemplateID, body.UserID, body.ExpiresAt)
	case action == "remove_access_team_member" && r.Method == http.MethodPost:
		err = s.records.RemoveAccessTeamMember(ctx, e.Name, id, body.TemplateID, body.UserID)
	default:
		allowed := "POST"
		if action == "shares" || action == "access_team_members" {
			allowed = "GET, POST"
		}
		w.Header().Set("Allow", allowed)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorDetail{Code: "method_not_allowed",
			Message: r.Method + " is not allowed here (allowed: " + allowed + ")"}})
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
