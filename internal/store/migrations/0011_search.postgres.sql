-- Global search (internal/search): one document per searchable record, fed from the change log.
-- tsv holds the title (weight A) and the body (weight B) as tokens made in Go (Latin words
-- lowercased, CJK runs as characters and overlapping bigrams) under the 'simple' configuration;
-- search_cursor is the indexer's position in each tenant's change log, with the fingerprint of the searchable attributes it
-- indexed (a change of them, such as securing a field, rebuilds the tenant's index).
CREATE TABLE IF NOT EXISTS search_doc (
  tenant_id uuid NOT NULL,
  entity text NOT NULL,
  record_id uuid NOT NULL,
  version bigint NOT NULL,
  tsv tsvector NOT NULL,
  PRIMARY KEY (tenant_id, entity, record_id)
);
CREATE INDEX IF NOT EXISTS search_doc_tsv ON search_doc USING gin (tsv);
CREATE TABLE IF NOT EXISTS search_cursor (
  tenant_id uuid PRIMARY KEY,
  version bigint NOT NULL,
  fingerprint text NOT NULL DEFAULT ''
);
