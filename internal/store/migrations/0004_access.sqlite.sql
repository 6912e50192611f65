-- Security roles: privileges per entity at a depth, held by users and teams.
CREATE TABLE IF NOT EXISTS security_role (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  is_admin INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);
-- privilege: create, read, write, delete, append, append_to, assign, share;
-- depth: 0 none, 1 user, 2 business unit, 3 parent-child business units, 4 organization.
CREATE TABLE IF NOT EXISTS role_privilege (
  tenant_id TEXT NOT NULL,
  role_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  privilege TEXT NOT NULL,
  depth INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, role_id, entity, privilege)
);
-- Roles held by a user or a team (principal_type 'user' or 'team').
CREATE TABLE IF NOT EXISTS principal_role (
  tenant_id TEXT NOT NULL,
  principal_id TEXT NOT NULL,
  principal_type TEXT NOT NULL,
  role_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, principal_id, role_id)
);
CREATE INDEX IF NOT EXISTS principal_role_role ON principal_role (tenant_id, role_id);
-- A record shared with a user or team: rights is a bit set of privileges; expires_at NULL = never.
CREATE TABLE IF NOT EXISTS record_share (
  tenant_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  record_id TEXT NOT NULL,
  principal_id TEXT NOT NULL,
  principal_type TEXT NOT NULL,
  rights INTEGER NOT NULL,
  expires_at TEXT,
  shared_by TEXT,
  shared_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, entity, record_id, principal_id)
);
CREATE INDEX IF NOT EXISTS record_share_principal ON record_share (tenant_id, principal_id, entity);
-- Access teams: a template grants rights on one record to its members, each until an optional expiry.
CREATE TABLE IF NOT EXISTS access_team_template (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  entity TEXT NOT NULL,
  rights INTEGER NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, entity, name)
);
CREATE TABLE IF NOT EXISTS access_team_member (
  tenant_id TEXT NOT NULL,
  template_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  record_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  expires_at TEXT,
  added_by TEXT,
  added_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, entity, record_id, template_id, user_id)
);
CREATE INDEX IF NOT EXISTS access_team_member_user ON access_team_member (tenant_id, user_id, entity);
