#pragma once

#include <span>
#include <string>
#include <string_view>

#include "store/sqlite.hpp"
#include "store/table_spec.hpp"

// DDL derived from the fixed tables and from the caller's TableSpecs; idempotent, so it runs at
// every read-write open and doubles as the migration of spec-driven tables.
namespace smartq::store::schema {

// Fixed tables (runs, changes, history, _sync_state, _sync_marks, _id_map) up to the newest
// PRAGMA user_version of their own; renames the internal tables of a replica older than 6.
void migrate(sqlite::Connection& db);
// A read-only connection to a replica older than 6, which only its next sync migrates: TEMP
// views give its internal tables their new names, so that readers need know only those.
void alias_internal_tables(sqlite::Connection& db);
// After ensure_table: the versions that change rows of the spec-driven tables (4: fills the
// plain-text columns of fts.hpp), then the newest PRAGMA user_version.
void migrate_rows(sqlite::Connection& db, std::span<const TableSpec> specs);
// Refuses a replica written by a newer schema.
void check_version(sqlite::Connection& db);

void validate(const TableSpec& spec);
// The table (with the plain-text columns fts::text_columns derives for it), its join tables and
// indexes; adds columns new in the spec by ALTER TABLE.
void ensure_table(sqlite::Connection& db, const TableSpec& spec, std::span<const TableSpec> all);
// <singular table>_history for every spec, e.g. ticket_history.
void ensure_history_views(sqlite::Connection& db, std::span<const TableSpec> specs);

// An SQL expression over alias.<key columns> equal to key_text() of that row.
std::string key_text_sql(const TableSpec& spec, std::string_view alias);
// "k1" = ?1 AND "k2" = ?2 ..., numbered from `first`.
std::string key_match_sql(const TableSpec& spec, int first = 1);
// The name a join table gives a parent key column: tickets.id -> ticket_id.
std::string parent_column(const TableSpec& parent, const ColumnSpec& key);
std::string singular(std::string_view table);
// A key or typed column of the spec; StoreError if there is none.
const ColumnSpec& column(const TableSpec& spec, std::string_view name);

}  // namespace smartq::store::schema
