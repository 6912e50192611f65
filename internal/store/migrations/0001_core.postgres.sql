CREATE TABLE tenant (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  slug text NOT NULL UNIQUE,
  status text NOT NULL DEFAULT 'active',
  version bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL
);
CREATE TABLE meta_entity (
  name text PRIMARY KEY,
  custom boolean NOT NULL,
  definition text NOT NULL,
  modified_at timestamptz NOT NULL
);
CREATE TABLE meta_relationship (
  name text PRIMARY KEY,
  custom boolean NOT NULL,
  definition text NOT NULL,
  modified_at timestamptz NOT NULL
);
CREATE TABLE change_log (
  tenant_id uuid NOT NULL,
  version bigint NOT NULL,
  entity text NOT NULL,
  record_id uuid NOT NULL,
  op text NOT NULL,
  changed_at timestamptz NOT NULL,
  changed_by uuid,
  PRIMARY KEY (tenant_id, version)
);
CREATE INDEX change_log_entity ON change_log (tenant_id, entity, version);
CREATE TABLE autonumber (
  tenant_id uuid NOT NULL,
  entity text NOT NULL,
  attribute text NOT NULL,
  next_value bigint NOT NULL,
  PRIMARY KEY (tenant_id, entity, attribute)
);
CREATE TABLE credential (
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  password_hash text NOT NULL,
  changed_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
CREATE TABLE auth_token (
  token_hash text PRIMARY KEY,
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  kind text NOT NULL,
  name text NOT NULL DEFAULT '',
  prefix text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  expires_at timestamptz,
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX auth_token_user ON auth_token (tenant_id, user_id);
