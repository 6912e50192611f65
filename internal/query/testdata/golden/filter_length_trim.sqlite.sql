-- list
SELECT t."id", t."version", t."created_at", t."modified_at", t."created_by", t."modified_by", t."owner_id", t."first_name", t."last_name", t."full_name", t."job_title", t."email", t."phone", t."mobile_phone", t."account_id", t."city", t."country", t."preferred_language", t."do_not_email" FROM "contact" t WHERE t."tenant_id" = ?1 AND (LENGTH(TRIM(t."full_name")) > ?2 AND UPPER(t."city") = ?3) ORDER BY t."id" LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001 3 PARIS]

