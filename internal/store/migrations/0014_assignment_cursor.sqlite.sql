-- Round-robin cursors of assignment rules: how many records each rule has handed out, so that
-- the next one goes to the next member of the rule's team. The routing step bumps it with one
-- upsert inside the writing transaction, so concurrent creates never hand out the same turn.
CREATE TABLE IF NOT EXISTS assignment_cursor (
  tenant_id TEXT NOT NULL,
  rule_id TEXT NOT NULL,
  turns INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, rule_id)
);
