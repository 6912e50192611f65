-- The audit trail: one row per change or security event, hash-chained per tenant (internal/audit).
-- seq is gap-free and monotonic per tenant; hash = SHA-256 over prev_hash and the row's fields
-- (docs/security.md, "Audit trail"). Values are stored exactly as they were hashed: changes is
-- text, not jsonb, which would reorder keys.
CREATE TABLE IF NOT EXISTS audit_log (
  tenant_id uuid NOT NULL,
  seq bigint NOT NULL,
  id uuid NOT NULL,
  at timestamptz NOT NULL,
  action text COLLATE "C" NOT NULL,
  entity text COLLATE "C",
  record_id text COLLATE "C",
  record_version bigint,
  user_id text COLLATE "C",
  user_name text COLLATE "C",
  method text COLLATE "C",
  ip text COLLATE "C",
  user_agent text COLLATE "C",
  request_id text COLLATE "C",
  changes text,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
-- The key is (tenant_id, seq). It is a unique index rather than a primary key because the query
-- compiler sorts nulls first (as SQLite does) and a primary key's index cannot be declared
-- NULLS FIRST; without it, listing the trail would sort every entry of the tenant.
CREATE UNIQUE INDEX IF NOT EXISTS audit_log_seq ON audit_log (tenant_id, seq NULLS FIRST);
ALTER TABLE audit_log REPLICA IDENTITY USING INDEX audit_log_seq;
CREATE INDEX IF NOT EXISTS audit_log_record ON audit_log (tenant_id, record_id NULLS FIRST, seq NULLS FIRST);
CREATE INDEX IF NOT EXISTS audit_log_user ON audit_log (tenant_id, user_id NULLS FIRST, seq NULLS FIRST);
CREATE INDEX IF NOT EXISTS audit_log_entity ON audit_log (tenant_id, entity NULLS FIRST, seq NULLS FIRST);
CREATE INDEX IF NOT EXISTS audit_log_at ON audit_log (tenant_id, at NULLS FIRST);
-- The head of each tenant's chain (last seq and hash), updated in the writing transaction; its row
-- lock serialises a tenant's audit writers. anchor_seq/anchor_hash: where the remaining chain
-- starts after a retention purge (0 and '' before any purge).
CREATE TABLE IF NOT EXISTS audit_head (
  tenant_id uuid NOT NULL PRIMARY KEY,
  seq bigint NOT NULL,
  hash text NOT NULL,
  anchor_seq bigint NOT NULL DEFAULT 0,
  anchor_hash text NOT NULL DEFAULT ''
);
-- Retention per tenant: entries older than retention_days are purged (0 keeps them forever).
CREATE TABLE IF NOT EXISTS audit_policy (
  tenant_id uuid NOT NULL PRIMARY KEY,
  retention_days integer NOT NULL,
  updated_at timestamptz NOT NULL
);
-- The query face of audit_log for the OData compiler, which expects the system columns of an
-- entity table: they are aliases of the entry's own columns.
CREATE OR REPLACE VIEW audit_entry AS
SELECT tenant_id, id, seq AS version, at AS created_at, at AS modified_at, user_id AS created_by,
  user_id AS modified_by, user_id AS owner_id, seq, at, action, entity, record_id, record_version,
  user_id, user_name, method, ip, user_agent, request_id, changes, prev_hash, hash
FROM audit_log;
