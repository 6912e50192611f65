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
  tenant_id uuid NOT NULL,
  entity text NOT NULL,
  rules text NOT NULL,
  modified_at timestamptz NOT NULL,
  modified_by uuid,
  PRIMARY KEY (tenant_id, entity)
);
CREATE TABLE IF NOT EXISTS dedupe_key (
  tenant_id uuid NOT NULL,
  entity text NOT NULL,
  rule text NOT NULL,
  key text NOT NULL,
  record_id uuid NOT NULL,
  PRIMARY KEY (tenant_id, entity, rule, key, record_id)
);
CREATE INDEX IF NOT EXISTS dedupe_key_record ON dedupe_key (tenant_id, entity, record_id);
CREATE TABLE IF NOT EXISTS merge_log (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  entity text NOT NULL,
  survivor_id uuid NOT NULL,
  losers text NOT NULL,
  survivor_version bigint NOT NULL,
  undo text NOT NULL,
  merged_at timestamptz NOT NULL,
  merged_by uuid,
  undone_at timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX IF NOT EXISTS merge_log_survivor ON merge_log (tenant_id, survivor_id);
CREATE TABLE IF NOT EXISTS dedupe_state (
  tenant_id uuid NOT NULL,
  entity text NOT NULL,
  indexed_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, entity)
);
