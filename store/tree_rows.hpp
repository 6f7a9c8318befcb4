// The rows of the resource tree as the restore and the verification walk it: one table at a
// time, under one parent, live now or as of a past time. Callers ask typed questions; the SQL
// stays here, every value in it bound (?1, ?2...), never formatted into its text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/replica.hpp"

namespace smartq::store {

struct TreeRow {
    std::vector<Value> key;      // in TableSpec::key order
    std::vector<Value> columns;  // in TableSpec::columns order (today's, even as of a past time)
    std::string data;            // as last received, or as of RowQuery::at
    bool live = true;            // false: tombstoned (only with RowQuery::Deleted::Included)
};

// Which rows of one table to read.
struct RowQuery {
    enum class Deleted { Excluded, Included };
    enum class Order { Id, Stored };

    // column = value, for each (key or typed columns of the table).
    std::vector<std::pair<std::string_view, Value>> equal = {};
    // Set: only the rows whose id is listed (an empty list: none).
    std::optional<std::vector<std::int64_t>> ids = {};
    Deleted deleted = Deleted::Excluded;
    // With Deleted::Excluded: a row tombstoned at or after this time still counts as live (a
    // restore of a deleted project brings the children deleted with it).
    std::string deleted_since = {};
    // Not empty: the rows live at this time ('YYYY-MM-DD HH:MM:SS', else StoreError), with their
    // data as of then; `deleted` and `deleted_since` do not apply.
    std::string at = {};
    // Stored: by rowid, which for a table not keyed by an integer id (custom fields) is the order
    // the rows were first stored in: the server's listing order.
    Order order = Order::Id;
};

std::vector<TreeRow> select_rows(Replica& replica, const TableSpec& spec, const RowQuery& query);

// The rows of `spec` (a child of tickets through ticket_id: notes, tasks, files) under the live
// tickets of one project, tombstoned children too, in the order stored.
std::vector<TreeRow> rows_under_live_tickets(Replica& replica, const TableSpec& spec,
                                             std::int64_t project);

// One typed column of a row (TreeRow::columns, StoredRow::columns) by name; StoreError if the
// table has no such typed column.
const Value& typed_value(const TableSpec& spec, const std::vector<Value>& columns,
                         std::string_view name);

}  // namespace smartq::store
