// Package layout measures the physical layouts considered for the per-tenant data model (issue
// 14) on SQLite and PostgreSQL, so that the choice is documented with figures:
//
//   - X, shared tables plus per-tenant extension tables: system entity tables shared by every
//     tenant, a tenant's custom attributes of a system entity in "t_<key>_<entity>" (tenant_id,
//     id, custom columns), joined 1:1 on reads, and a tenant's custom entities in tables of their
//     own;
//   - W, every tenant its own copy of every system table (a schema per tenant on PostgreSQL,
//     prefixed tables on SQLite), custom attributes as plain columns of its own tables;
//   - S, today's single shared table with the custom columns in it: the reference for the cost
//     of one query (it cannot hold 1,000 tenants' custom columns: PostgreSQL stops at 1,600).
//
// The package holds tests and benchmarks only; it writes its own DDL (from the system entity
// definitions in internal/metadata/system.json) rather than calling internal/store, so that the
// figures do not move with the code being measured. See docs/benchmarks.md, "Per-tenant data
// model: layouts measured".
package layout
