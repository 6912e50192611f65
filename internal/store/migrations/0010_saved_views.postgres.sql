-- Saved list views: a user's named list state (filter-builder model, the $filter it compiles to,
-- columns, order) for one entity, personal or shared with the tenant; one may be the owner's
-- default for the entity.
CREATE TABLE IF NOT EXISTS saved_view (
  tenant_id uuid NOT NULL,
  id uuid NOT NULL,
  owner_id uuid NOT NULL,
  entity text NOT NULL,
  name text NOT NULL,
  filter_model text NOT NULL DEFAULT '',
  filter text NOT NULL DEFAULT '',
  columns text NOT NULL DEFAULT '[]',
  order_by text NOT NULL DEFAULT '',
  shared boolean NOT NULL DEFAULT FALSE,
  is_default boolean NOT NULL DEFAULT FALSE,
  created_at timestamptz NOT NULL,
  modified_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, owner_id, entity, name)
);
CREATE INDEX IF NOT EXISTS saved_view_entity ON saved_view (tenant_id, entity, shared);
