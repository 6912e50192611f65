-- list
SELECT t."id", t."version", t."created_at", t."modified_at", t."created_by", t."modified_by", t."owner_id", t."first_name", t."last_name", t."full_name", t."job_title", t."email", t."phone", t."mobile_phone", t."account_id", t."city", t."country", t."preferred_language", t."do_not_email" FROM "contact" t WHERE t."tenant_id" = ?1 ORDER BY t."id" LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001]


-- expand marketing_lists
SELECT c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12 FROM (SELECT t."id" AS c0, t."version" AS c1, t."created_at" AS c2, t."modified_at" AS c3, t."created_by" AS c4, t."modified_by" AS c5, t."owner_id" AS c6, t."name" AS c7, t."member_type" AS c8, t."is_dynamic" AS c9, t."query" AS c10, t."description" AS c11, l."contact_id" AS c12, ROW_NUMBER() OVER (PARTITION BY l."contact_id" ORDER BY t."name", t."id") AS rn FROM "marketing_list" t JOIN "marketing_list_contact" l ON l."tenant_id" = t."tenant_id" AND l."marketing_list_id" = t."id" WHERE t."tenant_id" = ?1 AND l."contact_id" IN (?2, ?3, ?4)) x WHERE rn > 0 AND rn <= 2 ORDER BY c12, rn
-- args: [00000000-0000-0000-0000-000000000001 00000000-0000-0000-0000-00000000000a 00000000-0000-0000-0000-00000000000b 00000000-0000-0000-0000-00000000000c]

