-- list
SELECT t."id", t."version", t."created_at", t."modified_at", t."created_by", t."modified_by", t."owner_id", t."name", t."account_number", t."industry", t."revenue", t."revenue_currency", t."employees", t."phone", t."email", t."website", t."address_line", t."city", t."region", t."country", t."postal_code", t."primary_contact_id", t."parent_account_id", t."status", t."customer_since", t."churned_on", t."description" FROM "account" t WHERE t."tenant_id" = $1 ORDER BY t."id" LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001]


-- expand opportunities
SELECT c0, c1, c2, c3, c4 FROM (SELECT t."id" AS c0, t."version" AS c1, t."amount" AS c2, t."amount_currency" AS c3, t."account_id" AS c4, ROW_NUMBER() OVER (PARTITION BY t."account_id" ORDER BY t."amount" DESC NULLS LAST, t."id") AS rn FROM "opportunity" t WHERE t."tenant_id" = $1 AND t."account_id" IN ($2)) x WHERE rn > 0 AND rn <= 10 ORDER BY c4, rn
-- args: [00000000-0000-0000-0000-000000000001 00000000-0000-0000-0000-00000000000a]

