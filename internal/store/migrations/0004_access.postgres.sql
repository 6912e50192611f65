-- Security roles: privileges per entity at a depth, held by users and teams.
CREATE TABLE IF NOT EXISTS security_role (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  is_admin boolean NOT NULL DEFAULT FALSE,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);
-- privilege: create, read, write, delete, append, append_to, assign, share;
-- depth: 0 none, 1 user, 2 business unit, 3 parent-child business units, 4 organization.
CREATE TABLE IF NOT EXISTS role_privilege (
  tenant_id uuid NOT NULL,
  role_id uuid NOT NULL,
  entity text NOT NULL,
  privilege text NOT NULL,
  depth integer NOT NULL,
  PRIMARY KEY (tenant_id, role_id, entity, privilege)
);
-- Roles held by a user or a team (principal_type 'user' or 'team').
CREATE TABLE IF NOT EXISTS principal_role (
  tenant_id uuid NOT NULL,
  principal_id uuid NOT NULL,
  principal_type text NOT NULL,
  role_id uuid NOT NULL,
  PRIMARY KEY (tenant_id, principal_id, role_id)
);
CREATE INDEX IF NOT EXISTS principal_role_role ON principal_role (tenant_id, role_id);
-- A record shared with a user or team: rights is a bit set of privileges; expires_at NULL = never.
CREATE TABLE IF NOT EXISTS record_share (
  tenant_id uuid NOT NULL,
  entity text NOT NULL,
  record_id uuid NOT NULL,
  principal_id uuid NOT NULL,
  principal_type text NOT NULL,
  rights integer NOT NULL,
  expires_at timestamptz,
  shared_by uuid,
  shared_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, entity, record_id, principal_id)
);
CREATE INDEX IF NOT EXISTS record_share_principal ON record_share (tenant_id, principal_id, entity);
-- Access teams: a template grants rights on one record to its members, each until an optional expiry.
CREATE TABLE IF NOT EXISTS access_team_template (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  name text NOT NULL,
  entity text NOT NULL,
  rights integer NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, entity, name)
);
CREATE TABLE IF NOT EXISTS access_team_member (
  tenant_id uuid NOT NULL,
  template_id uuid NOT NULL,
  entity text NOT NULL,
  record_id uuid NOT NULL,
  user_id uuid NOT NULL,
  expires_at timestamptz,
  added_by uuid,
  added_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, entity, record_id, template_id, user_id)
);
CREATE INDEX IF NOT EXISTS access_team_member_user ON access_team_member (tenant_id, user_id, entity);
