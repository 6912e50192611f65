-- Authentication hardening (docs/security.md, Authentication).
-- Failed sign-ins per subject: "email:" and the SHA-256 of the lower-cased address (locked after
-- repeated failures, known address or not, so a lock reveals nothing), or "ip:" and the client
-- address (IPv6: its /64). Global rather than per tenant: a sign-in names no tenant until it
-- succeeds. Throttling state only: rows idle for two days are deleted.
CREATE TABLE IF NOT EXISTS login_throttle (
  subject text PRIMARY KEY,
  failures integer NOT NULL DEFAULT 0,
  lockouts integer NOT NULL DEFAULT 0,
  window_start timestamptz NOT NULL,
  last_failure_at timestamptz NOT NULL,
  locked_until timestamptz
);
CREATE INDEX IF NOT EXISTS login_throttle_last ON login_throttle (last_failure_at);
-- What an API key may do: space-separated scopes ("read", "write"); '' restricts nothing.
ALTER TABLE auth_token ADD COLUMN IF NOT EXISTS scopes text NOT NULL DEFAULT '';
-- A user's TOTP secret, sealed with the server's secret key; status is pending until the first
-- code confirms it, then active. last_step is the last 30-second step whose code was accepted:
-- a code is good once.
CREATE TABLE IF NOT EXISTS mfa_totp (
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  secret text NOT NULL,
  status text NOT NULL,
  last_step bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  PRIMARY KEY (tenant_id, user_id)
);
-- One-time recovery codes (SHA-256; 80 random bits each).
CREATE TABLE IF NOT EXISTS mfa_recovery_code (
  tenant_id uuid NOT NULL,
  user_id uuid NOT NULL,
  code_hash text NOT NULL,
  created_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (tenant_id, user_id, code_hash)
);
-- Sign-ins waiting for their second factor (SHA-256 of the challenge), for five minutes.
CREATE TABLE IF NOT EXISTS mfa_challenge (
  tenant_id uuid NOT NULL,
  challenge_hash text NOT NULL,
  user_id uuid NOT NULL,
  session text NOT NULL DEFAULT '',
  attempts integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  PRIMARY KEY (tenant_id, challenge_hash)
);
CREATE INDEX IF NOT EXISTS mfa_challenge_user ON mfa_challenge (tenant_id, user_id);
