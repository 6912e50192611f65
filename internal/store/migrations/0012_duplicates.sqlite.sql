-- Duplicate detection and merge (internal/dedupe).
-- dedupe_rule holds a tenant's duplicate-detection rules of one entity as JSON (none stored: the
-- built-in defaults). dedupe_key is the match index, maintained in the writing transaction: per
-- record and rule, its normalised exact keys (an e-mail, an E.164 phone, a web domain) or the
-- character bigrams of its normalised name, so candidates are found by indexed look-up.
-- dedupe_state marks the (tenant, entity) pairs whose existing records were indexed (a
-- database upgraded from a release without the index is backfilled once, at start-up).
-- merge_log records each merge with everything its undo needs (moved lookups, links and
-- grants, the survivor's values before, the losers' values) until undone.
CREATE TABLE IF NOT EXISTS dedupe_rule (
  tenant_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  rules TEXT NOT NULL,
  modified_at TEXT NOT NULL,
  modified_by TEXT,
  PRIMARY KEY (tenant_id, entity)
);
CREATE TABLE IF NOT EXISTS dedupe_key (
  tenant_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  rule TEXT NOT NULL,
  key TEXT NOT NULL,
  record_id TEXT NOT NULL,
  PRIMARY KEY (tenant_id, entity, rule, key, record_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS dedupe_key_record ON dedupe_key (tenant_id, entity, record_id);
CREATE TABLE IF NOT EXISTS merge_log (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  entity TEXT NOT NULL,
  survivor_id TEXT NOT NULL,
  losers TEXT NOT NULL,
  survivor_version INTEGER NOT NULL,
  undo TEXT NOT NULL,
  merged_at TEXT NOT NULL,
  merged_by TEXT,
  undone_at TEXT,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS merge_log_survivor ON merge_log (tenant_id, survivor_id);
CREATE TABLE IF NOT EXISTS dedupe_state (
  tenant_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  indexed_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, entity)
);
