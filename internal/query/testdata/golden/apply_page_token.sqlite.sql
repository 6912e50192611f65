-- apply
SELECT t."stage", COUNT(*) FROM "opportunity" t WHERE t."tenant_id" = ?1 GROUP BY t."stage" ORDER BY 2 DESC, 1 LIMIT 3 OFFSET 3
-- args: [00000000-0000-0000-0000-000000000001]

