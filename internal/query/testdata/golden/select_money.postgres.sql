-- list
SELECT t."id", t."version", t."name", t."revenue", t."revenue_currency", t."employees" FROM "account" t WHERE t."tenant_id" = $1 ORDER BY t."id" LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001]

