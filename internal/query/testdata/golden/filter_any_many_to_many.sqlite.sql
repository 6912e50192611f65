-- list
SELECT t."id", t."version", t."created_at", t."modified_at", t."created_by", t."modified_by", t."owner_id", t."name", t."member_type", t."is_dynamic", t."query", t."description" FROM "marketing_list" t WHERE t."tenant_id" = ?1 AND EXISTS (SELECT 1 FROM "contact" j1 JOIN "marketing_list_contact" j2 ON j2."tenant_id" = j1."tenant_id" AND j2."contact_id" = j1."id" WHERE j1."tenant_id" = ?2 AND j2."marketing_list_id" = t."id" AND j1."city" = ?3) ORDER BY t."id" LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001 00000000-0000-0000-0000-000000000001 Paris]

