-- apply
SELECT t."stage", SUM(t."amount"), AVG(t."amount"), MIN(t."probability"), MAX(t."probability"), COUNT(DISTINCT t."account_id"), COUNT(*) FROM "opportunity" t WHERE t."tenant_id" = ?1 GROUP BY t."stage" ORDER BY 1 LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001]

