-- Saved list views: a user's named list state (filter-builder model, the $filter it compiles to,
-- columns, order) for one entity, personal or shared with the tenant; one may be the owner's
-- default for the entity.
CREATE TABLE IF NOT EXISTS saved_view (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  owner_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  name TEXT NOT NULL,
  filter_model TEXT NOT NULL DEFAULT '',
  filter TEXT NOT NULL DEFAULT '',
  columns TEXT NOT NULL DEFAULT '[]',
  order_by TEXT NOT NULL DEFAULT '',
  shared INTEGER NOT NULL DEFAULT 0,
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  modified_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, owner_id, entity, name)
);
CREATE INDEX IF NOT EXISTS saved_view_entity ON saved_view (tenant_id, entity, shared);
