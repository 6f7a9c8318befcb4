#include "store/fts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "store/errors.hpp"

namespace smartq::store::fts {

using sqlite::quote_identifier;

namespace {

constexpr std::array<TextColumn, 2> kTicketTexts{{
    {"description", "$.description"},
    {"tags", "$.tags"},
}};
constexpr std::array<TextColumn, 1> kNoteTexts{{{"text", "$.text"}}};

struct Index {
    std::string_view table;
    std::vector<std::string_view> columns;
    // What the search reads of a matching row, kept in <table>_search (see lookup_name).
    std::vector<std::string_view> looked_up;
};

const std::array<Index, 2>& indexes() {
    static const std::array<Index, 2> all{{
        {"tickets", {"name", "description", "tags"}, {"id", "deleted_at", "project_id", "name"}},
        {"notes", {"text"}, {"id", "deleted_at", "ticket_id"}},
    }};
    return all;
}

// Diacritics removed also from characters they compose with ("Übersicht" matches "ubersicht").
constexpr std::string_view kTokenizer = "unicode61 remove_diacritics 2";

const TableSpec* find_spec(std::span<const TableSpec> specs, std::string_view table) {
    auto it = std::find_if(specs.begin(), specs.end(),
                           [&](const TableSpec& s) { return s.table == table; });
    return it == specs.end() ? nullptr : &*it;
}

bool has_column(const TableSpec& spec, std::string_view name) {
    auto named = [&](const auto& column) { return column.name == name; };
    auto texts = text_columns(spec.table);
    return std::any_of(spec.key.begin(), spec.key.end(), named) ||
           std::any_of(spec.columns.begin(), spec.columns.end(), named) ||
           std::any_of(texts.begin(), texts.end(),
                       [&](const TextColumn& c) { return c.column == name; });
}

std::string fts_name(const Index& index) {
    return fmt::format("{}_fts", index.table);
}

// "prefix"."a", "prefix"."b", ...
std::string columns_of(const Index& index, std::string_view prefix) {
    std::string list;
    for (auto column : index.columns) {
        list += fmt::format("{}{}{}", list.empty() ? "" : ", ", prefix, quote_identifier(column));
    }
    return list;
}

bool exists(sqlite::Connection& db, std::string_view name) {
    sqlite::Statement probe(db, "SELECT 1 FROM sqlite_schema WHERE name = ?1");
    probe.bind(1, name);
    bool found = probe.step();
    probe.reset();
    return found;
}

const Index* find_index(std::string_view table) {
    for (const auto& index : indexes()) {
        if (index.table == table) {
            return &index;
        }
    }
    return nullptr;
}

void create_table(sqlite::Connection& db, std::string_view schema, const Index& index) {
    // content="tickets" exactly so: Datasette looks for that text in the table's SQL.
    db.exec(fmt::format("CREATE VIRTUAL TABLE {}.{} USING fts5({}, content=\"{}\", tokenize='{}')",
                        quote_identifier(schema), quote_identifier(fts_name(index)),
                        columns_of(index, ""), index.table, kTokenizer));
}

// A covering index keyed by id, which search.cpp names in INDEXED BY: a row's deleted_at lies
// past its data, often on overflow pages, and reading the rows of thousands of matches took most
// of a one-word search's time.
void create_lookup(sqlite::Connection& db, std::string_view schema, const Index& index) {
    std::string columns;
    for (auto column : index.looked_up) {
        columns += fmt::format("{}{}", columns.empty() ? "" : ", ", quote_identifier(column));
    }
    db.exec(fmt::format("CREATE INDEX IF NOT EXISTS {}.{} ON {}({})", quote_identifier(schema),
                        quote_identifier(fmt::format("{}_search", index.table)),
                        quote_identifier(index.table), columns));
}

std::string pending_name(const Index& index) {
    return fmt::format("_{}_fts_pending", index.table);
}

// The rows whose index entries are out of date, each with the indexed values its entry holds
// (`indexed` = 1) or none yet (a row inserted since the last flush). OR IGNORE keeps the first
// values written, which are those in the index however often the row changes before the flush.
void create_pending_table(sqlite::Connection& db, const Index& index) {
    db.exec(fmt::format(
        "CREATE TABLE IF NOT EXISTS {}(row INTEGER PRIMARY KEY, indexed INTEGER NOT NULL, {})",
        quote_identifier(pending_name(index)), columns_of(index, "")));
}

// The triggers note which rows changed; the index itself is written at commit (flush_sql). FTS5
// flushes its pending terms to a new segment at the end of every statement that writes it: kept
// by row triggers, the index took a segment (and merges) per row written, a third of a sync's
// CPU.
void create_triggers(sqlite::Connection& db, const Index& index) {
    auto pending = quote_identifier(pending_name(index));
    auto table = quote_identifier(index.table);
    auto names = columns_of(index, "");
    auto was = fmt::format("INSERT OR IGNORE INTO {}(row, indexed, {}) VALUES(old.rowid, 1, {});",
                           pending, names, columns_of(index, "old."));
    auto added =
        fmt::format("INSERT OR IGNORE INTO {}(row, indexed) VALUES(new.rowid, 0);", pending);
    db.exec(fmt::format("CREATE TRIGGER {} AFTER INSERT ON {} BEGIN {} END",
                        quote_identifier(fmt::format("{}_ai", index.table)), table, added));
    db.exec(fmt::format("CREATE TRIGGER {} AFTER DELETE ON {} BEGIN {} END",
                        quote_identifier(fmt::format("{}_ad", index.table)), table, was));
    // Only when an indexed column is written: a tombstone or a file's checksum leaves it alone.
    db.exec(fmt::format("CREATE TRIGGER {} AFTER UPDATE OF {} ON {} BEGIN {} END",
                        quote_identifier(fmt::format("{}_au", index.table)), names, table, was));
}

// Whether the table has the triggers that note changes in the pending rows: a replica of schema 4
// kept its indexes by triggers writing them row by row, and a table rebuilt to add its keys
// (schema.cpp) lost its triggers.
bool noted_as_pending(sqlite::Connection& db, const Index& index) {
    sqlite::Statement probe(db,
                            "SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?1");
    probe.bind(1, fmt::format("{}_ai", index.table));
    bool current = probe.step() && probe.text(0).find(pending_name(index)) != std::string::npos;
    probe.reset();
    return current;
}

void drop_triggers(sqlite::Connection& db, const Index& index) {
    for (auto suffix : {"_ai", "_ad", "_au"}) {
        db.exec(fmt::format("DROP TRIGGER IF EXISTS {}",
                            quote_identifier(fmt::format("{}{}", index.table, suffix))));
    }
}

void rebuild(sqlite::Connection& db, std::string_view schema, const Index& index) {
    auto fts = quote_identifier(fts_name(index));
    db.exec(
        fmt::format("INSERT INTO {}.{}({}) VALUES('rebuild')", quote_identifier(schema), fts, fts));
}

}  // namespace

std::span<const TextColumn> text_columns(std::string_view table) {
    if (table == "tickets") {
        return kTicketTexts;
    }
    if (table == "notes") {
        return kNoteTexts;
    }
    return {};
}

std::string text_value_sql(const TextColumn& column, std::string_view data) {
    return fmt::format(
        "smartq_plain_text(CASE WHEN json_valid({0}) THEN json_extract({0}, {1}) END)", data,
        sqlite::quote_literal(column.json_path));
}

void fill_text_columns(sqlite::Connection& db, std::span<const TableSpec> specs) {
    for (const auto& spec : specs) {
        std::string assignments;
        for (const auto& column : text_columns(spec.table)) {
            assignments +=
                fmt::format("{}{} = {}", assignments.empty() ? "" : ", ",
                            quote_identifier(column.column), text_value_sql(column, "data"));
        }
        if (!assignments.empty()) {
            db.exec(fmt::format("UPDATE {} SET {}", quote_identifier(spec.table), assignments));
        }
    }
}

void ensure_indexes(sqlite::Connection& db, std::span<const TableSpec> specs) {
    for (const auto& index : indexes()) {
        const auto* spec = find_spec(specs, index.table);
        bool indexable = spec != nullptr &&
                         std::all_of(index.columns.begin(), index.columns.end(),
                                     [&](std::string_view c) { return has_column(*spec, c); });
        if (!indexable) {
            continue;
        }
        if (!exists(db, fts_name(index))) {
            create_table(db, "main", index);
            create_pending_table(db, index);
            create_triggers(db, index);
            rebuild(db, "main", index);
        } else if (!noted_as_pending(db, index)) {
            drop_triggers(db, index);
            create_pending_table(db, index);
            create_triggers(db, index);
        }
        create_lookup(db, "main", index);
    }
}

std::vector<std::string> flush_sql(sqlite::Connection& db) {
    std::vector<std::string> statements;
    for (const auto& index : indexes()) {
        if (!exists(db, pending_name(index))) {
            continue;
        }
        auto fts = quote_identifier(fts_name(index));
        auto pending = quote_identifier(pending_name(index));
        auto names = columns_of(index, "");
        statements.push_back(fmt::format(
            "INSERT INTO {0}({0}, rowid, {1}) SELECT 'delete', row, {1} FROM {2} WHERE indexed = 1",
            fts, names, pending));
        // CROSS JOIN keeps the pending rows outside: without statistics SQLite may otherwise
        // scan the whole table (and every overflow page of its data) at each commit.
        statements.push_back(fmt::format(
            "INSERT INTO {}(rowid, {}) SELECT t.rowid, {} FROM {} p CROSS JOIN {} t ON t.rowid = "
            "p.row",
            fts, names, columns_of(index, "t."), pending, quote_identifier(index.table)));
        statements.push_back(fmt::format("DELETE FROM {}", pending));
    }
    return statements;
}

void build_index(sqlite::Connection& db, std::string_view schema, std::string_view table) {
    const auto* index = find_index(table);
    if (index == nullptr) {
        throw StoreError(fmt::format("table {} has no full-text index", table));
    }
    create_table(db, schema, *index);
    rebuild(db, schema, *index);
    create_lookup(db, schema, *index);
}

}  // namespace smartq::store::fts
