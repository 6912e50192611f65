-- Each tenant its own data model (docs/architecture.md, "Each tenant its own data model").
-- meta_entity and meta_relationship hold the system definitions (the nil tenant, kind 'system')
-- and each tenant's own: its custom entities and relationships (kind 'custom') and its extensions
-- of system entities (kind 'extension': custom attributes, labels, options, field security,
-- indexes). Custom definitions of earlier releases, shared by every tenant, become kind
-- 'legacy'; the start-up schema sync gives them to the tenants that made them and moves their
-- tables and columns (store.splitLegacy).
-- meta_change holds, per tenant, the metadata clock version of its last change: servers poll it
-- to drop the models of tenants whose definitions another server changed.
CREATE TABLE meta_entity_v2 (
  tenant_id TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  definition TEXT NOT NULL,
  modified_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, name)
);
INSERT INTO meta_entity_v2 (tenant_id, name, kind, definition, modified_at)
  SELECT '00000000-0000-0000-0000-000000000000', name, CASE WHEN custom <> 0 THEN 'legacy' ELSE 'system' END, definition, modified_at FROM meta_entity;
DROP TABLE meta_entity;
ALTER TABLE meta_entity_v2 RENAME TO meta_entity;
CREATE TABLE meta_relationship_v2 (
  tenant_id TEXT NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  definition TEXT NOT NULL,
  modified_at TEXT NOT NULL,
  PRIMARY KEY (tenant_id, name)
);
INSERT INTO meta_relationship_v2 (tenant_id, name, kind, definition, modified_at)
  SELECT '00000000-0000-0000-0000-000000000000', name, CASE WHEN custom <> 0 THEN 'legacy' ELSE 'system' END, definition, modified_at FROM meta_relationship;
DROP TABLE meta_relationship;
ALTER TABLE meta_relationship_v2 RENAME TO meta_relationship;
CREATE TABLE meta_change (
  tenant_id TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  changed_at TEXT NOT NULL
);
CREATE INDEX meta_change_version ON meta_change (version);
