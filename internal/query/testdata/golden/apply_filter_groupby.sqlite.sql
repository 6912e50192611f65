-- apply
SELECT t."status", t."stage", COUNT(*) FROM "opportunity" t WHERE t."tenant_id" = ?1 AND (t."status" = ?2 AND t."amount" > ?3) GROUP BY t."status", t."stage" ORDER BY 3 DESC, 1, 2 LIMIT 5 OFFSET 5
-- args: [00000000-0000-0000-0000-000000000001 open 0]

