-- Global search (internal/search): one document per searchable record, fed from the change log.
-- search_doc maps a record to the FTS5 row holding its tokens (FTS5 wants an integer rowid);
-- search_fts holds the title and body as space-separated tokens made in Go (Latin words
-- lowercased, CJK runs as characters and overlapping bigrams); search_cursor is the indexer's
-- position in each tenant's change log, with the fingerprint of the searchable attributes it
-- indexed (a change of them, such as securing a field, rebuilds the tenant's index).
CREATE TABLE IF NOT EXISTS search_doc (
  doc_id INTEGER PRIMARY KEY,
  tenant_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  record_id TEXT NOT NULL,
  version INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS search_doc_record ON search_doc (tenant_id, entity, record_id);
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title, body, tokenize = 'unicode61 remove_diacritics 0');
CREATE TABLE IF NOT EXISTS search_cursor (
  tenant_id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  fingerprint TEXT NOT NULL DEFAULT ''
);
