-- A delete's change log row keeps what the read path's visibility predicate needs of the record
-- it no longer has — its owner and its queue — so that a delta read reports the deletion only to
-- callers who could see the record (internal/records/delta.go). NULL on other operations and on
-- deletions logged before this migration (those are reported to callers who see every record).
ALTER TABLE change_log ADD COLUMN IF NOT EXISTS owner_id uuid;
ALTER TABLE change_log ADD COLUMN IF NOT EXISTS queue_id uuid;
