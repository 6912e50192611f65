-- apply
SELECT MIN(t."close_date"), MAX(t."close_date"), MAX(t."stage"), MAX(t."created_at"), MIN(t."amount") FROM "opportunity" t WHERE t."tenant_id" = $1 LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001]

