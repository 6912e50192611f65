CREATE TABLE IF NOT EXISTS import_job (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  entity text NOT NULL,
  source text NOT NULL,
  file_name text NOT NULL,
  file_path text NOT NULL,
  file_sha256 text NOT NULL,
  format text NOT NULL,
  options text NOT NULL,
  status text NOT NULL,
  rows_total bigint NOT NULL DEFAULT 0,
  rows_done bigint NOT NULL DEFAULT 0,
  created bigint NOT NULL DEFAULT 0,
  updated bigint NOT NULL DEFAULT 0,
  failed bigint NOT NULL DEFAULT 0,
  skipped bigint NOT NULL DEFAULT 0,
  warnings text NOT NULL DEFAULT '[]',
  error_file text NOT NULL DEFAULT '',
  error_bytes bigint NOT NULL DEFAULT 0,
  error text NOT NULL DEFAULT '',
  created_at timestamptz NOT NULL,
  started_at timestamptz,
  finished_at timestamptz,
  created_by uuid,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS import_job_file ON import_job (tenant_id, file_sha256, entity);
CREATE INDEX IF NOT EXISTS import_job_created ON import_job (tenant_id, created_at);
