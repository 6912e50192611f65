-- list
SELECT t."id", t."version", t."created_at", t."modified_at", t."created_by", t."modified_by", t."owner_id", t."name", t."account_number", t."industry", t."revenue", t."revenue_currency", t."employees", t."phone", t."email", t."website", t."address_line", t."city", t."region", t."country", t."postal_code", t."primary_contact_id", t."parent_account_id", t."status", t."customer_since", t."churned_on", t."description", j1."full_name" FROM "account" t LEFT JOIN "contact" j1 ON j1."tenant_id" = $3 AND j1."id" = t."primary_contact_id" WHERE t."tenant_id" = $1 AND (t."city" <> $2 OR t."city" IS NULL) AND (j1."full_name", t."id") > ($4, $5) ORDER BY j1."full_name" NULLS FIRST, t."id" LIMIT 3
-- args: [00000000-0000-0000-0000-000000000001 Paris 00000000-0000-0000-0000-000000000001 Ann Lee 00000000-0000-0000-0000-00000000000a]


-- count
SELECT COUNT(*) FROM "account" t WHERE t."tenant_id" = $1 AND (t."city" <> $2 OR t."city" IS NULL)
-- args: [00000000-0000-0000-0000-000000000001 Paris]

