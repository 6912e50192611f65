-- The duplicate key index in a write-friendly form (internal/dedupe). It was a B-tree of one
-- row per record and key (about ten per account), each inserted at a random place, which made
-- bulk writes of accounts, contacts and leads four times slower. Now each record with keys has
-- one dedupe_doc row (its keys as 64-bit hashes of tenant, entity, rule and normalised key,
-- written as hex words) and an FTS5 index over those words, which buffers a transaction's
-- terms and writes them as one sorted segment. dedupe_doc.keys is exactly what the FTS index
-- holds for the row, so a change deletes precisely the old terms. dedupe_vocab tells how many
-- records hold a key (an import looks up only the rows whose keys others hold). The old table
-- is dropped and dedupe_state emptied: the start-up backfill rebuilds every tenant's keys in
-- the new form.
DROP TABLE IF EXISTS dedupe_key;
CREATE TABLE IF NOT EXISTS dedupe_doc (
  doc_id INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  record_id TEXT NOT NULL,
  keys TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS dedupe_doc_record ON dedupe_doc (tenant_id, entity, record_id);
CREATE VIRTUAL TABLE IF NOT EXISTS dedupe_fts USING fts5(keys, content = 'dedupe_doc', content_rowid = 'doc_id', tokenize = 'ascii', detail = 'none', columnsize = 0);
CREATE VIRTUAL TABLE IF NOT EXISTS dedupe_vocab USING fts5vocab(dedupe_fts, 'row');
DELETE FROM dedupe_state;
