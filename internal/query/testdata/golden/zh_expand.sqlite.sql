-- list
SELECT t."id", t."version", t."created_at", t."modified_at", t."created_by", t."modified_by", t."owner_id", t."name", t."account_number", t."industry", t."revenue", t."revenue_currency", t."employees", t."phone", t."email", t."website", t."address_line", t."city", t."region", t."country", t."postal_code", t."primary_contact_id", t."parent_account_id", t."status", t."customer_since", t."churned_on", t."description" FROM "account" t WHERE t."tenant_id" = ?1 ORDER BY t."id" LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001]


-- expand contacts
SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19 FROM (SELECT t."id" AS c0, t."version" AS c1, t."created_at" AS c2, t."modified_at" AS c3, t."created_by" AS c4, t."modified_by" AS c5, t."owner_id" AS c6, t."first_name" AS c7, t."last_name" AS c8, t."full_name" AS c9, t."job_title" AS c10, t."email" AS c11, t."phone" AS c12, t."mobile_phone" AS c13, t."account_id" AS c14, t."city" AS c15, t."country" AS c16, t."preferred_language" AS c17, t."do_not_email" AS c18, t."account_id" AS c19, ROW_NUMBER() OVER (PARTITION BY t."account_id" ORDER BY t."full_name" COLLATE pinyin, t."created_at" DESC, t."id") AS rn FROM "contact" t WHERE t."tenant_id" = ?1 AND t."account_id" IN (?2)) x WHERE rn > 0 AND rn <= 10 ORDER BY c19, rn
-- args: [00000000-0000-0000-0000-000000000001 00000000-0000-0000-0000-00000000000a]

