-- list
SELECT t."id", t."version", t."created_at", t."modified_at", t."created_by", t."modified_by", t."owner_id", t."name", t."account_number", t."industry", t."revenue", t."revenue_currency", t."employees", t."phone", t."email", t."website", t."address_line", t."city", t."region", t."country", t."postal_code", t."primary_contact_id", t."parent_account_id", t."status", t."customer_since", t."churned_on", t."description" FROM "account" t WHERE t."tenant_id" = $1 ORDER BY t."id" LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001]


-- expand contacts
SELECT c0, c1, c2, c3 FROM (SELECT t."id" AS c0, t."version" AS c1, t."full_name" AS c2, t."account_id" AS c3, ROW_NUMBER() OVER (PARTITION BY t."account_id" ORDER BY t."full_name" DESC NULLS LAST, j1."name" NULLS FIRST, t."id") AS rn FROM "contact" t LEFT JOIN "account" j1 ON j1."tenant_id" = $5 AND j1."id" = t."account_id" WHERE t."tenant_id" = $1 AND t."city" = $2 AND t."account_id" IN ($3, $4)) x WHERE rn > 1 AND rn <= 4 ORDER BY c3, rn
-- args: [00000000-0000-0000-0000-000000000001 Paris 00000000-0000-0000-0000-00000000000a 00000000-0000-0000-0000-00000000000b 00000000-0000-0000-0000-000000000001]

