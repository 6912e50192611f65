-- apply
SELECT j1."industry", SUM(t."amount") FROM "opportunity" t LEFT JOIN "account" j1 ON j1."tenant_id" = $2 AND j1."id" = t."account_id" WHERE t."tenant_id" = $1 GROUP BY j1."industry" ORDER BY 1 DESC NULLS LAST LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001 00000000-0000-0000-0000-000000000001]

