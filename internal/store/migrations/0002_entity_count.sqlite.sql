CREATE TABLE entity_count (
  tenant_id TEXT NOT NULL,
  entity TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (tenant_id, entity)
);
