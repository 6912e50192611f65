-- The duplicate key index in a write-friendly form (internal/dedupe). It was a B-tree of one
-- row per record and key (about ten per account), each inserted at a random place, which made
-- bulk writes of accounts, contacts and leads four times slower. Now each record with keys has
-- one dedupe_doc row holding its keys as 64-bit hashes of tenant, entity, rule and normalised
-- key, under a GIN index (whose pending list takes inserts cheaply and sorts them in later).
-- The old table is dropped and dedupe_state emptied: the start-up backfill rebuilds every
-- tenant's keys in the new form.
DROP TABLE IF EXISTS dedupe_key;
CREATE TABLE IF NOT EXISTS dedupe_doc (
  tenant_id uuid NOT NULL,
  entity text NOT NULL,
  record_id uuid NOT NULL,
  keys bigint[] NOT NULL,
  PRIMARY KEY (tenant_id, entity, record_id)
);
CREATE INDEX IF NOT EXISTS dedupe_doc_keys ON dedupe_doc USING gin (keys);
DELETE FROM dedupe_state;
