-- OAuth2 clients (client credentials grant, RFC 6749 §4.4): a client acts as one user of its
-- tenant. The public client_id is derived from (tenant_id, id); only a hash of the secret is kept.
-- Revoking a client keeps its row (for the record) and revokes the tokens it obtained.
CREATE TABLE IF NOT EXISTS oauth_client (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  name text NOT NULL,
  user_id uuid NOT NULL,
  secret_hash text NOT NULL,
  scopes text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  created_by uuid,
  last_used_at timestamptz,
  revoked_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS oauth_client_user ON oauth_client (tenant_id, user_id);
-- The tokens (kind 'oauth') a client obtained, so that revoking the client revokes them.
CREATE TABLE IF NOT EXISTS oauth_client_token (
  tenant_id uuid NOT NULL,
  client_id uuid NOT NULL,
  token_hash text NOT NULL,
  PRIMARY KEY (tenant_id, client_id, token_hash)
);
-- OpenID Connect identity providers of a tenant, for single sign-on. client_secret is sealed
-- (AES-GCM under the server's secret key when one is configured) and never returned.
CREATE TABLE IF NOT EXISTS oidc_provider (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  name text NOT NULL,
  issuer_url text NOT NULL,
  client_id text NOT NULL,
  client_secret text NOT NULL DEFAULT '',
  allowed_domains text NOT NULL DEFAULT '',
  auto_provision boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL,
  modified_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, name)
);
-- Sign-ins in progress: the state (hashed), nonce (hashed) and PKCE verifier of one
-- authorization request, and how to answer once signed in (session kind, page to return to);
-- consumed by its callback, kept for minutes.
CREATE TABLE IF NOT EXISTS oidc_login (
  tenant_id uuid NOT NULL,
  state_hash text NOT NULL,
  provider_id uuid NOT NULL,
  nonce_hash text NOT NULL,
  code_verifier text NOT NULL,
  redirect_uri text NOT NULL,
  session text NOT NULL DEFAULT '',
  return_to text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, state_hash)
);
CREATE INDEX IF NOT EXISTS oidc_login_expires ON oidc_login (tenant_id, expires_at);
