-- Each tenant its own data model (docs/architecture.md, "Each tenant its own data model").
-- meta_entity and meta_relationship hold the system definitions (the nil tenant, kind 'system')
-- and each tenant's own: its custom entities and relationships (kind 'custom') and its extensions
-- of system entities (kind 'extension': custom attributes, labels, options, field security,
-- indexes). Custom definitions of earlier releases, shared by every tenant, become kind
-- 'legacy'; the start-up schema sync gives them to the tenants that made them and moves their
-- tables and columns (store.splitLegacy).
-- meta_change holds, per tenant, the metadata clock version of its last change: servers poll it
-- to drop the models of tenants whose definitions another server changed.
ALTER TABLE meta_entity ADD COLUMN tenant_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE meta_entity ADD COLUMN kind text NOT NULL DEFAULT 'system';
UPDATE meta_entity SET kind = 'legacy' WHERE custom;
ALTER TABLE meta_entity DROP COLUMN custom;
ALTER TABLE meta_entity ALTER COLUMN tenant_id DROP DEFAULT;
ALTER TABLE meta_entity ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE meta_entity DROP CONSTRAINT meta_entity_pkey;
ALTER TABLE meta_entity ADD PRIMARY KEY (tenant_id, name);
ALTER TABLE meta_relationship ADD COLUMN tenant_id uuid NOT NULL DEFAULT '00000000-0000-0000-0000-000000000000';
ALTER TABLE meta_relationship ADD COLUMN kind text NOT NULL DEFAULT 'system';
UPDATE meta_relationship SET kind = 'legacy' WHERE custom;
ALTER TABLE meta_relationship DROP COLUMN custom;
ALTER TABLE meta_relationship ALTER COLUMN tenant_id DROP DEFAULT;
ALTER TABLE meta_relationship ALTER COLUMN kind DROP DEFAULT;
ALTER TABLE meta_relationship DROP CONSTRAINT meta_relationship_pkey;
ALTER TABLE meta_relationship ADD PRIMARY KEY (tenant_id, name);
CREATE TABLE meta_change (
  tenant_id uuid PRIMARY KEY,
  version bigint NOT NULL,
  changed_at timestamptz NOT NULL
);
CREATE INDEX meta_change_version ON meta_change (version);
