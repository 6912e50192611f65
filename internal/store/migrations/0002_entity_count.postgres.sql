CREATE TABLE entity_count (
  tenant_id uuid NOT NULL,
  entity text NOT NULL,
  n bigint NOT NULL,
  PRIMARY KEY (tenant_id, entity)
);
