-- Field-level security: attributes marked secured are readable, settable on create and
-- updatable only through a field security profile held by the user or one of their teams.
CREATE TABLE IF NOT EXISTS field_security_profile (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);
CREATE TABLE IF NOT EXISTS field_permission (
  tenant_id TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  attribute TEXT NOT NULL,
  can_read INTEGER NOT NULL DEFAULT 0,
  can_create INTEGER NOT NULL DEFAULT 0,
  can_update INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, profile_id, entity, attribute)
);
CREATE TABLE IF NOT EXISTS field_profile_member (
  tenant_id TEXT NOT NULL,
  profile_id TEXT NOT NULL,
  principal_id TEXT NOT NULL,
  principal_type TEXT NOT NULL,
  PRIMARY KEY (tenant_id, profile_id, principal_id)
);
CREATE INDEX IF NOT EXISTS field_profile_member_principal ON field_profile_member (tenant_id, principal_id);
