-- The audit trail: one row per change or security event, hash-chained per tenant (internal/audit).
-- seq is gap-free and monotonic per tenant; hash = SHA-256 over prev_hash and the row's fields
-- (docs/security.md, "Audit trail"). Values are stored exactly as they were hashed.
CREATE TABLE IF NOT EXISTS audit_log (
  tenant_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL,
  at TEXT NOT NULL,
  action TEXT NOT NULL,
  entity TEXT,
  record_id TEXT,
  record_version INTEGER,
  user_id TEXT,
  user_name TEXT,
  method TEXT,
  ip TEXT,
  user_agent TEXT,
  request_id TEXT,
  changes TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX IF NOT EXISTS audit_log_record ON audit_log (tenant_id, record_id, seq);
CREATE INDEX IF NOT EXISTS audit_log_user ON audit_log (tenant_id, user_id, seq);
CREATE INDEX IF NOT EXISTS audit_log_entity ON audit_log (tenant_id, entity, seq);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (tenant_id, at);
-- The head of each tenant's chain (last seq and hash), updated in the writing transaction; its row
-- lock serialises a tenant's audit writers. anchor_seq/anchor_hash: where the remaining chain
-- starts after a retention purge (0 and '' before any purge).
CREATE TABLE IF NOT EXISTS audit_head (
  tenant_id TEXT NOT NULL PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  anchor_seq INTEGER NOT NULL DEFAULT 0,
  anchor_hash TEXT NOT NULL DEFAULT ''
);
-- Retention per tenant: entries older than retention_days are purged (0 keeps them forever).
CREATE TABLE IF NOT EXISTS audit_policy (
  tenant_id TEXT NOT NULL PRIMARY KEY,
  retention_days INTEGER NOT NULL,
  updated_at TEXT NOT NULL
);
-- The query face of audit_log for the OData compiler, which expects the system columns of an
-- entity table: they are aliases of the entry's own columns.
CREATE VIEW IF NOT EXISTS audit_entry AS
SELECT tenant_id, id, seq AS version, at AS created_at, at AS modified_at, user_id AS created_by,
  user_id AS modified_by, user_id AS owner_id, seq, at, action, entity, record_id, record_version,
  user_id, user_name, method, ip, user_agent, request_id, changes, prev_hash, hash
FROM audit_log;
