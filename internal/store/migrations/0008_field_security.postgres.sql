-- Field-level security: attributes marked secured are readable, settable on create and
-- updatable only through a field security profile held by the user or one of their teams.
CREATE TABLE IF NOT EXISTS field_security_profile (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  name text NOT NULL,
  description text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);
CREATE TABLE IF NOT EXISTS field_permission (
  tenant_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  entity text NOT NULL,
  attribute text NOT NULL,
  can_read boolean NOT NULL DEFAULT FALSE,
  can_create boolean NOT NULL DEFAULT FALSE,
  can_update boolean NOT NULL DEFAULT FALSE,
  PRIMARY KEY (tenant_id, profile_id, entity, attribute)
);
CREATE TABLE IF NOT EXISTS field_profile_member (
  tenant_id uuid NOT NULL,
  profile_id uuid NOT NULL,
  principal_id uuid NOT NULL,
  principal_type text NOT NULL,
  PRIMARY KEY (tenant_id, profile_id, principal_id)
);
CREATE INDEX IF NOT EXISTS field_profile_member_principal ON field_profile_member (tenant_id, principal_id);
