-- list
SELECT t."id", t."version", t."created_at", t."modified_at", t."created_by", t."modified_by", t."owner_id", t."first_name", t."last_name", t."full_name", t."job_title", t."email", t."phone", t."mobile_phone", t."account_id", t."city", t."country", t."preferred_language", t."do_not_email" FROM "contact" t WHERE t."tenant_id" = ?1 AND NOT EXISTS (SELECT 1 FROM "marketing_list" j1 JOIN "marketing_list_contact" j2 ON j2."tenant_id" = j1."tenant_id" AND j2."marketing_list_id" = j1."id" WHERE j1."tenant_id" = ?2 AND j2."contact_id" = t."id" AND (j1."is_dynamic" = ?3) IS NOT TRUE) ORDER BY t."id" LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001 00000000-0000-0000-0000-000000000001 0]

