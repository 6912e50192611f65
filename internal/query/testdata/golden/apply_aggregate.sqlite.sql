-- apply
SELECT SUM(t."revenue"), AVG(t."employees"), COUNT(*) FROM "account" t WHERE t."tenant_id" = ?1 AND EXISTS (SELECT 1 FROM "contact" j1 WHERE j1."tenant_id" = ?2 AND j1."account_id" = t."id" AND j1."city" = ?3) LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001 00000000-0000-0000-0000-000000000001 Paris]

