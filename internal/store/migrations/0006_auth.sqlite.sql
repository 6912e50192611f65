-- Authentication hardening (docs/security.md, Authentication).
-- Failed sign-ins per subject: "email:" and the SHA-256 of the lower-cased address (locked after
-- repeated failures, known address or not, so a lock reveals nothing), or "ip:" and the client
-- address (IPv6: its /64). Global rather than per tenant: a sign-in names no tenant until it
-- succeeds. Throttling state only: rows idle for two days are deleted.
CREATE TABLE IF NOT EXISTS login_throttle (
  subject TEXT PRIMARY KEY,
  failures INTEGER NOT NULL DEFAULT 0,
  lockouts INTEGER NOT NULL DEFAULT 0,
  window_start TEXT NOT NULL,
  last_failure_at TEXT NOT NULL,
  locked_until TEXT
);
CREATE INDEX IF NOT EXISTS login_throttle_last ON login_throttle (last_failure_at);
-- What an API key may do: space-separated scopes ("read", "write"); '' restricts nothing.
ALTER TABLE auth_token ADD COLUMN IF NOT EXISTS scopes TEXT NOT NULL DEFAULT '';
-- A user's TOTP secret, sealed with the server's secret key; status is pending until the first
-- code confirms it, then active. last_step is the last 30-second step whose code was accepted:
-- a code is good once.
CREATE TABLE IF NOT EXISTS mfa_totp (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  secret TEXT NOT NULL,
  status TEXT NOT NULL,
  last_step INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  confirmed_at TEXT,
  PRIMARY KEY (tenant_id, user_id)
);
-- One-time recovery codes (SHA-256; 80 random bits each).
CREATE TABLE IF NOT EXISTS mfa_recovery_code (
  tenant_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  code_hash TEXT NOT NULL,
  created_at TEXT NOT NULL,
  used_at TEXT,
  PRIMARY KEY (tenant_id, user_id, code_hash)
);
-- Sign-ins waiting for their second factor (SHA-256 of the challenge), for five minutes.
CREATE TABLE IF NOT EXISTS mfa_challenge (
  tenant_id TEXT NOT NULL,
  challenge_hash TEXT NOT NULL,
  user_id TEXT NOT NULL,
  session TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT,
  PRIMARY KEY (tenant_id, challenge_hash)
);
CREATE INDEX IF NOT EXISTS mfa_challenge_user ON mfa_challenge (tenant_id, user_id);
