#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// The replica is generic: the sync layer describes each resource table with a TableSpec and the
// store derives the schema, the statements and the change log from it. All names are string_views
// into the caller's (static) resource table and must outlive the Replica.
namespace smartq::store {

enum class ColumnType { Integer, Real, Text };

struct ColumnSpec {
    std::string_view name;
    ColumnType type;
    bool indexed = false;
    // Parent table name -> FOREIGN KEY. The columns of one table referencing the same parent map,
    // in order, onto the parent's key columns.
    std::string_view references = {};
    // A table whose single key column this column holds without being its child (a ticket's
    // step, an owner): a link (links.hpp), declared as a FOREIGN KEY but never a parent.
    std::string_view links_to = {};
};

// A child table replaced whenever its parent row changes. Its first columns are the parent's key,
// named <singular parent>_<key column> (tickets.id -> ticket_id); then `columns`.
struct JoinSpec {
    std::string_view table;
    std::vector<ColumnSpec> columns;
};

struct TableSpec {
    std::string_view table;       // "tickets"
    std::string_view resource;    // name used in the change log and history, e.g. "tickets"
    std::vector<ColumnSpec> key;  // Integer or Text columns only
    std::vector<ColumnSpec> columns;
    std::vector<JoinSpec> joins;
};

using Value = std::variant<std::monostate, std::int64_t, double, std::string>;

// A text or integer value as text; empty for NULL (and for a double, which no key or mark holds).
std::string as_text(const Value& value);

struct Record {
    std::vector<Value> key;                              // in TableSpec::key order
    std::vector<Value> columns;                          // in TableSpec::columns order
    std::string data;                                    // the object as received, JSON text
    std::vector<std::vector<std::vector<Value>>> joins;  // per JoinSpec: rows without parent key
};

// Canonical text of a key as stored in changes/history/_id_map: "123" or "45/f3". Text parts have
// '%' and '/' percent-encoded so that the text is unambiguous.
std::string key_text(std::span<const Value> key);
std::string key_text(const Record& record);

}  // namespace smartq::store
