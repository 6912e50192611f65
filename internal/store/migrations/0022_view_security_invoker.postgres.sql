-- Every view reads its tables with the rights of the role that queries it (security_invoker,
-- PostgreSQL 15), so the tables' row-level security binds the application role through the
-- view; a view owned by a superuser otherwise reads every tenant's rows (docs/security.md,
-- "Tenants and row-level security"). audit_entry is made by 0005; activity by the system
-- schema sync, which creates it with the option (store.planView) after the migrations of a new
-- database: it may not exist yet.
ALTER VIEW IF EXISTS audit_entry SET (security_invoker = true);
ALTER VIEW IF EXISTS activity SET (security_invoker = true);
