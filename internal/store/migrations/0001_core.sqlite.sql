CREATE TABLE tenant (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL DEFAULT 'active',
  version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);
CREATE TABLE meta_entity (
  name TEXT PRIMARY KEY,
  custom INTEGER NOT NULL,
  definition TEXT NOT NULL,
  modified_at TEXT NOT NULL
);
CREATE TABLE meta_relationship (
  name TEXT PRIMARY KEY,
  custom INTEGER NOT NULL,
  definition TEXT NOT NULL,
  modified_at TEXT NOT NULL
);
CREATE TABLE change_log (
  tenant_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  entity TEXT NOT NULL,
  record_id TEXT NOT NULL,
  op TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  changed_by TEXT,
  PRIMARY KEY (tenant_id, version)
);
CREATE INDEX change_log_entity ON change_log (tenant_id, entity, version);
CREATE TABLE autonumber (
  tenant_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  attribute TEXT NOT NULL,
  next_value INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, entity, attribute)
);
CREATE TABLE credential (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
CREATE TABLE auth_token (
  token_hash TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL DEFAULT '',
  prefix TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  expires_at TEXT,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX auth_token_user ON auth_token (tenant_id, user_id);
