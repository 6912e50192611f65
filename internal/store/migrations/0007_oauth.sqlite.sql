-- OAuth2 clients (client credentials grant, RFC 6749 §4.4): a client acts as one user of its
-- tenant. The public client_id is derived from (tenant_id, id); only a hash of the secret is kept.
-- Revoking a client keeps its row (for the record) and revokes the tokens it obtained.
CREATE TABLE IF NOT EXISTS oauth_client (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  user_id TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  scopes TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  created_by TEXT,
  last_used_at TEXT,
  revoked_at TEXT,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS oauth_client_user ON oauth_client (tenant_id, user_id);
-- The tokens (kind 'oauth') a client obtained, so that revoking the client revokes them.
CREATE TABLE IF NOT EXISTS oauth_client_token (
  tenant_id TEXT NOT NULL,
  client_id TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  PRIMARY KEY (tenant_id, client_id, token_hash)
);
-- OpenID Connect identity providers of a tenant, for single sign-on. client_secret is sealed
-- (AES-GCM under the server's secret key when one is configured) and never returned.
CREATE TABLE IF NOT EXISTS oidc_provider (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  issuer_url TEXT NOT NULL,
  client_id TEXT NOT NULL,
  client_secret TEXT NOT NULL DEFAULT '',
  allowed_domains TEXT NOT NULL DEFAULT '',
  auto_provision INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  modified_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);
-- Sign-ins in progress: the state (hashed), nonce (hashed) and PKCE verifier of one
-- authorization request, and how to answer once signed in (session kind, page to return to);
-- consumed by its callback, kept for minutes.
CREATE TABLE IF NOT EXISTS oidc_login (
  tenant_id TEXT NOT NULL,
  state_hash TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  nonce_hash TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  redirect_uri TEXT NOT NULL,
  session TEXT NOT NULL DEFAULT '',
  return_to TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, state_hash)
);
CREATE INDEX IF NOT EXISTS oidc_login_expires ON oidc_login (tenant_id, expires_at);
