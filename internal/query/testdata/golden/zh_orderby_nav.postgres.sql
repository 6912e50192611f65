-- list
SELECT t."id", t."version", t."name", j1."full_name" FROM "account" t LEFT JOIN "contact" j1 ON j1."tenant_id" = $2 AND j1."id" = t."primary_contact_id" WHERE t."tenant_id" = $1 ORDER BY j1."full_name" COLLATE "zh-Hans-x-icu" DESC NULLS LAST, t."name" COLLATE "zh-Hans-x-icu" NULLS FIRST, t."id" LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001 00000000-0000-0000-0000-000000000001]

