-- apply
SELECT t."industry", t."city" FROM "account" t WHERE t."tenant_id" = $1 GROUP BY t."industry", t."city" ORDER BY 1 NULLS FIRST, 2 NULLS FIRST LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001]

