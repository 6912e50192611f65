-- list
SELECT t."id", t."version", t."created_at", t."modified_at", t."created_by", t."modified_by", t."owner_id", t."name", t."account_id", t."contact_id", t."amount", t."amount_currency", t."stage", t."probability", t."forecast_category", t."close_date", t."opened_on", t."deal_type", t."status", t."close_reason", t."competitor", t."actual_close_date", t."lead_id", t."campaign_id", t."description" FROM "opportunity" t WHERE t."tenant_id" = ?1 ORDER BY t."stage", t."amount" DESC, t."created_at", t."id" LIMIT 51
-- args: [00000000-0000-0000-0000-000000000001]

