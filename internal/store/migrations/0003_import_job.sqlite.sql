CREATE TABLE IF NOT EXISTS import_job (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  entity TEXT NOT NULL,
  source TEXT NOT NULL,
  file_name TEXT NOT NULL,
  file_path TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  format TEXT NOT NULL,
  options TEXT NOT NULL,
  status TEXT NOT NULL,
  rows_total INTEGER NOT NULL DEFAULT 0,
  rows_done INTEGER NOT NULL DEFAULT 0,
  created INTEGER NOT NULL DEFAULT 0,
  updated INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  warnings TEXT NOT NULL DEFAULT '[]',
  error_file TEXT NOT NULL DEFAULT '',
  error_bytes INTEGER NOT NULL DEFAULT 0,
  error TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  created_by TEXT,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS import_job_file ON import_job (tenant_id, file_sha256, entity);
CREATE INDEX IF NOT EXISTS import_job_created ON import_job (tenant_id, created_at);
