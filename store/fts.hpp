#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite.hpp"
#include "store/table_spec.hpp"

// Full-text search over the replica. Descriptions and note texts exist only inside `data`, as
// HTML; the store keeps their plain text in typed columns written with every row, and indexes
// them in FTS5 tables named as sqlite-utils names them (<table>_fts, external content), which is
// how Datasette finds a table's search index. Triggers (<table>_ai/_ad/_au) note each changed row
// in _<table>_fts_pending; the statements of flush_sql bring the index up to date from there, in
// the same transaction, just before it commits: a transaction's index is current when it ends,
// not while it is open.
namespace smartq::store::fts {

// A column the store derives from `data`: the plain text of the member at json_path.
struct TextColumn {
    std::string_view column;
    std::string_view json_path;
};

// The derived columns of a resource table: tickets.description and .tags, notes.text.
std::span<const TextColumn> text_columns(std::string_view table);

// An SQL expression computing `column` from the JSON text `data` (an expression); NULL when
// data is no JSON or lacks the member. Uses smartq_plain_text (see plain_text.hpp).
std::string text_value_sql(const TextColumn& column, std::string_view data);

// Sets the derived columns of every row from its data: the migration of a replica whose rows
// were stored before the columns existed.
void fill_text_columns(sqlite::Connection& db, std::span<const TableSpec> specs);

// The FTS tables and their triggers for the specs that have the indexed columns, and the covering
// indexes <table>_search the search reads a match's row from; a table created now is built from
// the rows already stored.
void ensure_indexes(sqlite::Connection& db, std::span<const TableSpec> specs);

// The statements that write the pending changes into the indexes, to run in order before every
// COMMIT of a transaction that may have written tickets or notes; none when there is no index.
std::vector<std::string> flush_sql(sqlite::Connection& db);

// <schema>.<table>_fts over <schema>.<table> (tickets or notes, with the indexed columns) and its
// <schema>.<table>_search, built from the rows there and not kept current: the indexes of a
// scratch copy, e.g. in TEMP.
void build_index(sqlite::Connection& db, std::string_view schema, std::string_view table);

}  // namespace smartq::store::fts
