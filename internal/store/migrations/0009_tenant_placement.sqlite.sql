-- Tenant placement: the database a tenant's data lives in ('' = this one). The primary database's
-- tenant table is the installation's tenant directory.
ALTER TABLE tenant ADD COLUMN IF NOT EXISTS placement TEXT NOT NULL DEFAULT '';
