-- list
SELECT t."id", t."version", t."created_at", t."modified_at", t."created_by", t."modified_by", t."owner_id", t."name", t."account_number", t."industry", t."revenue", t."revenue_currency", t."employees", t."phone", t."email", t."website", t."address_line", t."city", t."region", t."country", t."postal_code", t."primary_contact_id", t."parent_account_id", t."status", t."customer_since", t."churned_on", t."description" FROM "account" t WHERE t."tenant_id" = ?1 AND (t."city" COLLATE pinyin IS NOT NULL OR (t."city" COLLATE pinyin IS NULL AND t."id" > ?2)) ORDER BY t."city" COLLATE pinyin, t."id" LIMIT 3
-- args: [00000000-0000-0000-0000-000000000001 00000000-0000-0000-0000-00000000000a]

