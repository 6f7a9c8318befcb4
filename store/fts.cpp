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
};

const std::array<Index, 2>& indexes() {
    static const std::array<Index, 2> all{{
        {"tickets", {"name", "description", "tags"}},
        {"notes", {"text"}},
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

void create_triggers(sqlite::Connection& db, const Index& index) {
    auto fts = quote_identifier(fts_name(index));
    auto table = quote_identifier(index.table);
    auto names = columns_of(index, "");
    auto remove = fmt::format("INSERT INTO {0}({0}, rowid, {1}) VALUES('delete', old.rowid, {2});",
                              fts, names, columns_of(index, "old."));
    auto add = fmt::format("INSERT INTO {}(rowid, {}) VALUES(new.rowid, {});", fts, names,
                           columns_of(index, "new."));
    db.exec(fmt::format("CREATE TRIGGER {} AFTER INSERT ON {} BEGIN {} END",
                        quote_identifier(fmt::format("{}_ai", index.table)), table, add));
    db.exec(fmt::format("CREATE TRIGGER {} AFTER DELETE ON {} BEGIN {} END",
                        quote_identifier(fmt::format("{}_ad", index.table)), table, remove));
    // Only when an indexed column is written: a tombstone or a file's checksum leaves it alone.
    db.exec(fmt::format("CREATE TRIGGER {} AFTER UPDATE OF {} ON {} BEGIN {} {} END",
                        quote_identifier(fmt::format("{}_au", index.table)), names, table, remove,
                        add));
}

void rebuild(sqlite::Connection& db, std::string_view schema, const Index& index) {
    auto fts = quote_identifier(fts_name(index));
    db.exec(fmt::format("INSERT INTO {}.{}({}) VALUES('rebuild')", quote_identifier(schema), fts,
                        fts));
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
            assignments += fmt::format("{}{} = {}", assignments.empty() ? "" : ", ",
                                       quote_identifier(column.column),
                                       text_value_sql(column, "data"));
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
        if (indexable && !exists(db, fts_name(index))) {
            create_table(db, "main", index);
            create_triggers(db, index);
            rebuild(db, "main", index);
        }
    }
}

void build_index(sqlite::Connection& db, std::string_view schema, std::string_view table) {
    const auto* index = find_index(table);
    if (index == nullptr) {
        throw StoreError(fmt::format("table {} has no full-text index", table));
    }
    create_table(db, schema, *index);
    rebuild(db, schema, *index);
}

}  // namespace smartq::store::fts
