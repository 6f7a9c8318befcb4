#include "store/schema.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <utility>

#include "store/errors.hpp"
#include "store/fts.hpp"
#include "store/links.hpp"

namespace smartq::store::schema {

using sqlite::quote_identifier;

namespace {

// One entry per schema version; never edit a released entry, append a new one.
constexpr std::array<std::string_view, 3> kMigrations = {
    R"sql(
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  account TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('full','incremental','deep')),
  started_at TEXT NOT NULL,
  ended_at TEXT,
  status TEXT NOT NULL CHECK(status IN ('running','ok','partial','failed','interrupted')),
  requests INTEGER NOT NULL DEFAULT 0,
  bytes INTEGER NOT NULL DEFAULT 0,
  records TEXT NOT NULL DEFAULT '{}',
  error TEXT);
CREATE TABLE changes(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  resource TEXT NOT NULL,
  key TEXT NOT NULL,
  kind TEXT NOT NULL CHECK(kind IN ('insert','update','delete','undelete')),
  at TEXT NOT NULL);
CREATE INDEX changes_run ON changes(run_id);
CREATE INDEX changes_key ON changes(resource, key);
CREATE TABLE history(
  id INTEGER PRIMARY KEY,
  resource TEXT NOT NULL,
  key TEXT NOT NULL,
  run_id INTEGER,
  valid_from TEXT NOT NULL,
  valid_to TEXT NOT NULL,
  data TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0);
CREATE INDEX history_key ON history(resource, key, valid_from);
CREATE TABLE sync_state(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sync_marks(
  resource TEXT NOT NULL, key TEXT NOT NULL, marker TEXT NOT NULL, PRIMARY KEY(resource, key));
CREATE TABLE id_map(
  target TEXT NOT NULL, resource TEXT NOT NULL, old_key TEXT NOT NULL, new_key TEXT NOT NULL,
  PRIMARY KEY(target, resource, old_key));
CREATE VIEW last_run_changes AS
  SELECT * FROM changes WHERE run_id = (SELECT max(id) FROM runs);
)sql",
    // A CHECK of IN with more than two values builds a temporary index on every insert, which
    // made the change log the dearest write of a sync: the same check, as comparisons.
    R"sql(
DROP VIEW last_run_changes;
CREATE TABLE changes_v2(
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  resource TEXT NOT NULL,
  key TEXT NOT NULL,
  kind TEXT NOT NULL
    CHECK(kind = 'insert' OR kind = 'update' OR kind = 'delete' OR kind = 'undelete'),
  at TEXT NOT NULL);
INSERT INTO changes_v2 SELECT id, run_id, resource, key, kind, at FROM changes;
DROP TABLE changes;
ALTER TABLE changes_v2 RENAME TO changes;
CREATE INDEX changes_run ON changes(run_id);
CREATE INDEX changes_key ON changes(resource, key);
CREATE VIEW last_run_changes AS
  SELECT * FROM changes WHERE run_id = (SELECT max(id) FROM runs);
)sql",
    // Everything a run found, not only its first problem: what made it partial, and notices
    // such as replies whose parent note the login cannot see.
    R"sql(
CREATE TABLE IF NOT EXISTS run_findings(
  run_id INTEGER NOT NULL REFERENCES runs(id),
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK(kind = 'problem' OR kind = 'notice'),
  text TEXT NOT NULL,
  PRIMARY KEY(run_id, seq));
)sql",
};

// Versions past kMigrations change the spec-driven tables: they run once those tables exist.
// 4: the plain-text columns of fts.hpp, filled from the rows stored before them.
// 5: the search indexes written at commit from <table>_fts_pending (fts::ensure_indexes).
// 6: the sync's own bookkeeping renamed with a leading underscore (kInternalTables).
// 7: a FOREIGN KEY for every link (links.hpp), join tables keyed by all their columns; a table
//    whose keys differ from those wanted is rebuilt by ensure_table, whatever the version.
constexpr std::int64_t kVersion = 7;

// Tables no script should rely on, as versions before 6 named them and as they are named now: a
// leading underscore is how Datasette and sqlite-utils users tell bookkeeping from data. The
// pending rows of the search indexes exist only from version 5; `changes` and `history` keep
// their names, being the replica's record of the past that diff and the *_history views read.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kInternalTables = {{
    {"sync_state", "_sync_state"},
    {"sync_marks", "_sync_marks"},
    {"id_map", "_id_map"},
    {"tickets_fts_pending", "_tickets_fts_pending"},
    {"notes_fts_pending", "_notes_fts_pending"},
}};

constexpr std::array<std::string_view, 7> kRowColumns = {
    "data", "hash", "first_seen_at", "changed_at", "seen_run", "changed_run", "deleted_at"};

std::string_view sql_type(ColumnType type) {
    switch (type) {
        case ColumnType::Integer:
            return "INTEGER";
        case ColumnType::Real:
            return "REAL";
        case ColumnType::Text:
            return "TEXT";
    }
    return "TEXT";
}

std::int64_t user_version(sqlite::Connection& db) {
    sqlite::Statement pragma(db, "PRAGMA user_version");
    pragma.step();
    std::int64_t version = pragma.integer(0);
    pragma.reset();
    return version;
}

bool table_exists(sqlite::Connection& db, std::string_view schema, std::string_view table) {
    sqlite::Statement probe(
        db, fmt::format("SELECT 1 FROM {}.sqlite_schema WHERE type = 'table' AND name = ?1",
                        quote_identifier(schema)));
    probe.bind(1, table);
    bool found = probe.step();
    probe.reset();
    return found;
}

// ALTER TABLE RENAME also rewrites the triggers that write the pending tables (SQLite >= 3.26).
void rename_internal_tables(sqlite::Connection& db) {
    for (auto [before, now] : kInternalTables) {
        if (table_exists(db, "main", before)) {
            db.exec(fmt::format("ALTER TABLE {} RENAME TO {}", quote_identifier(before),
                                quote_identifier(now)));
        }
    }
}

std::string column_list(const std::vector<std::string>& names) {
    std::string list;
    for (const auto& name : names) {
        list += (list.empty() ? "" : ", ") + quote_identifier(name);
    }
    return list;
}

// A FOREIGN KEY clause: `columns` of a table hold the key `parent_keys` of `parent`.
struct ForeignKey {
    std::vector<std::string> columns;
    std::string parent;
    std::vector<std::string> parent_keys;
    bool cascade = false;  // ON DELETE CASCADE: a join table's rows go with their parent row
};

std::vector<std::string> key_names(const TableSpec& spec) {
    std::vector<std::string> names;
    for (const auto& key : spec.key) {
        names.emplace_back(key.name);
    }
    return names;
}

const TableSpec& referenced_spec(std::span<const TableSpec> all, std::string_view table,
                                 std::string_view name) {
    auto it =
        std::find_if(all.begin(), all.end(), [&](const TableSpec& s) { return s.table == name; });
    if (it == all.end()) {
        throw StoreError(
            fmt::format("table {} references {}, which is not in the specs", table, name));
    }
    return *it;
}

// The keys of `table`: its columns that reference a parent, grouped by parent, then its links
// (links.hpp). None is enforced: the connection leaves PRAGMA foreign_keys off (replica_core).
std::vector<ForeignKey> foreign_keys(std::string_view table, std::span<const ColumnSpec> columns,
                                     std::span<const TableSpec> all) {
    std::map<std::string_view, std::vector<std::string>> by_parent;
    for (const auto& column : columns) {
        if (!column.references.empty()) {
            by_parent[column.references].emplace_back(column.name);
        }
    }
    std::vector<ForeignKey> keys;
    for (const auto& [parent_name, names] : by_parent) {
        const auto& parent = referenced_spec(all, table, parent_name);
        if (parent.key.size() != names.size()) {
            throw StoreError(
                fmt::format("table {} references {} with {} column(s) but its key has {}", table,
                            parent_name, names.size(), parent.key.size()));
        }
        keys.push_back({names, std::string(parent_name), key_names(parent)});
    }
    for (const auto& link : links::of(all, table)) {
        keys.push_back({{std::string(link.column)},
                        std::string(link.target),
                        key_names(referenced_spec(all, table, link.target))});
    }
    return keys;
}

// The body of a CREATE TABLE: the column definitions, then the keys.
std::string table_body(std::string_view column_definitions,
                       const std::vector<std::string>& primary_key,
                       const std::vector<ForeignKey>& foreign) {
    auto body = fmt::format("{}PRIMARY KEY({})", column_definitions, column_list(primary_key));
    for (const auto& key : foreign) {
        body += fmt::format(", FOREIGN KEY({}) REFERENCES {}({}){}", column_list(key.columns),
                            quote_identifier(key.parent), column_list(key.parent_keys),
                            key.cascade ? " ON DELETE CASCADE" : "");
    }
    return body;
}

// "a,b>parent(x,y)": a key as PRAGMA foreign_key_list describes it.
std::string signature(const std::vector<std::string>& columns, std::string_view parent,
                      const std::vector<std::string>& parent_keys) {
    return fmt::format("{}>{}({})", fmt::join(columns, ","), parent, fmt::join(parent_keys, ","));
}

// Whether the table in the database has the primary key and the foreign keys wanted of it: a
// replica made before a key was declared has not, and SQLite cannot add one by ALTER TABLE.
bool keys_as_wanted(sqlite::Connection& db, std::string_view table,
                    const std::vector<std::string>& primary_key,
                    const std::vector<ForeignKey>& foreign) {
    sqlite::Statement pk(db, "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk");
    pk.bind(1, table);
    std::vector<std::string> declared_pk;
    while (pk.step()) {
        declared_pk.push_back(pk.text(0));
    }
    pk.reset();
    sqlite::Statement fk(db,
                         "SELECT id, \"table\", \"from\", \"to\" FROM "
                         "pragma_foreign_key_list(?1) ORDER BY id, seq");
    fk.bind(1, table);
    std::map<std::int64_t, ForeignKey> by_id;
    while (fk.step()) {
        auto& key = by_id[fk.integer(0)];
        key.parent = fk.text(1);
        key.columns.push_back(fk.text(2));
        key.parent_keys.push_back(fk.text(3));
    }
    fk.reset();
    std::set<std::string> declared;
    for (const auto& [id, key] : by_id) {
        declared.insert(signature(key.columns, key.parent, key.parent_keys));
    }
    std::set<std::string> wanted;
    for (const auto& key : foreign) {
        wanted.insert(signature(key.columns, key.parent, key.parent_keys));
    }
    return declared_pk == primary_key && declared == wanted;
}

std::set<std::string> existing_columns(sqlite::Connection& db, std::string_view table) {
    sqlite::Statement info(db, fmt::format("PRAGMA table_info({})", quote_identifier(table)));
    std::set<std::string> names;
    while (info.step()) {
        names.insert(info.text(1));
    }
    info.reset();
    return names;
}

// SQLite cannot add a key to a table; as its manual advises, a new table takes the rows and then
// the old one's name, in the open's transaction. An INTEGER key is the rowid, so the search
// indexes still match. The old table's indexes and triggers go with it: ensure_table, the
// search indexes and the views make them again.
void rebuild(sqlite::Connection& db, std::string_view table, std::string_view body) {
    auto scratch = fmt::format("_rebuilt_{}", table);
    db.exec(fmt::format("CREATE TABLE {}({})", quote_identifier(scratch), body));
    auto new_columns = existing_columns(db, scratch);
    std::vector<std::string> copied;
    for (const auto& column : existing_columns(db, table)) {
        // A column the specs no longer name keeps its values, untyped.
        if (!new_columns.contains(column)) {
            db.exec(fmt::format("ALTER TABLE {} ADD COLUMN {}", quote_identifier(scratch),
                                quote_identifier(column)));
        }
        copied.push_back(column);
    }
    // OR IGNORE: exact duplicates in a join table become one row under its new primary key.
    db.exec(fmt::format("INSERT OR IGNORE INTO {0}({1}) SELECT {1} FROM {2}",
                        quote_identifier(scratch), column_list(copied), quote_identifier(table)));
    db.exec(fmt::format("DROP TABLE {}", quote_identifier(table)));
    // The legacy rename leaves the other tables' views and triggers alone rather than checking
    // them while the dropped table's views are not yet made again.
    db.exec("PRAGMA legacy_alter_table = ON");
    db.exec(fmt::format("ALTER TABLE {} RENAME TO {}", quote_identifier(scratch),
                        quote_identifier(table)));
    db.exec("PRAGMA legacy_alter_table = OFF");
}

void add_missing_columns(sqlite::Connection& db, std::string_view table,
                         std::span<const ColumnSpec> key, std::span<const ColumnSpec> columns) {
    auto existing = existing_columns(db, table);
    for (const auto& column : key) {
        if (!existing.contains(std::string(column.name))) {
            throw StoreError(
                fmt::format("the key of table {} gained column {}; a key cannot be migrated", table,
                            column.name));
        }
    }
    for (const auto& column : columns) {
        if (!existing.contains(std::string(column.name))) {
            db.exec(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", quote_identifier(table),
                                quote_identifier(column.name), sql_type(column.type)));
        }
    }
}

void create_indexes(sqlite::Connection& db, std::string_view table,
                    std::span<const ColumnSpec> columns) {
    for (const auto& column : columns) {
        if (column.indexed) {
            db.exec(fmt::format("CREATE INDEX IF NOT EXISTS {} ON {}({})",
                                quote_identifier(fmt::format("{}_{}", table, column.name)),
                                quote_identifier(table), quote_identifier(column.name)));
        }
    }
}

// A join table's primary key is all its columns: a row says only that the pair exists.
void ensure_join(sqlite::Connection& db, const TableSpec& parent, const JoinSpec& join,
                 std::span<const TableSpec> all) {
    std::vector<std::string> columns;
    std::string definitions;
    for (const auto& key : parent.key) {
        columns.push_back(parent_column(parent, key));
        definitions +=
            fmt::format("{} {} NOT NULL, ", quote_identifier(columns.back()), sql_type(key.type));
    }
    std::vector<ForeignKey> foreign{{columns, std::string(parent.table), key_names(parent), true}};
    for (const auto& column : join.columns) {
        columns.emplace_back(column.name);
        definitions += fmt::format("{} {}, ", quote_identifier(column.name), sql_type(column.type));
    }
    auto links = foreign_keys(join.table, join.columns, all);
    foreign.insert(foreign.end(), links.begin(), links.end());
    auto body = table_body(definitions, columns, foreign);
    db.exec(fmt::format("CREATE TABLE IF NOT EXISTS {}({})", quote_identifier(join.table), body));
    add_missing_columns(db, join.table, {}, join.columns);
    if (!keys_as_wanted(db, join.table, columns, foreign)) {
        rebuild(db, join.table, body);
    }
    create_indexes(db, join.table, join.columns);
}

void validate_names(std::string_view table, std::span<const ColumnSpec> columns,
                    std::set<std::string_view>& seen) {
    for (const auto& column : columns) {
        if (column.name.empty()) {
            throw StoreError(fmt::format("table {} has a column without a name", table));
        }
        if (std::find(kRowColumns.begin(), kRowColumns.end(), column.name) != kRowColumns.end()) {
            throw StoreError(
                fmt::format("table {} cannot have a column named {}: the store uses "
                            "that name itself",
                            table, column.name));
        }
        if (!seen.insert(column.name).second) {
            throw StoreError(fmt::format("table {} has two columns named {}", table, column.name));
        }
    }
}

}  // namespace

void migrate(sqlite::Connection& db) {
    check_version(db);
    for (auto version = user_version(db); version < std::ssize(kMigrations); ++version) {
        db.exec(kMigrations[version]);
        db.exec(fmt::format("PRAGMA user_version = {}", version + 1));
    }
    if (user_version(db) < 6) {
        rename_internal_tables(db);
    }
}

void alias_internal_tables(sqlite::Connection& db) {
    if (user_version(db) >= 6) {
        return;
    }
    for (auto [before, now] : kInternalTables) {
        if (table_exists(db, "main", before) && !table_exists(db, "temp", now)) {
            db.exec(fmt::format("CREATE TEMP VIEW {} AS SELECT * FROM main.{}",
                                quote_identifier(now), quote_identifier(before)));
        }
    }
}

void migrate_rows(sqlite::Connection& db, std::span<const TableSpec> specs) {
    if (user_version(db) < 4) {
        fts::fill_text_columns(db, specs);
    }
    db.exec(fmt::format("PRAGMA user_version = {}", kVersion));
}

void check_version(sqlite::Connection& db) {
    auto version = user_version(db);
    if (version > kVersion) {
        throw StoreError(fmt::format(
            "the replica at {} has schema version {}, newer than this program's {}; use a newer "
            "smartq-backup",
            db.path().string(), version, kVersion));
    }
}

void validate(const TableSpec& spec) {
    if (spec.table.empty() || spec.resource.empty()) {
        throw StoreError("a table spec needs a table and a resource name");
    }
    if (spec.key.empty()) {
        throw StoreError(fmt::format("table {} has no key", spec.table));
    }
    for (const auto& key : spec.key) {
        if (key.type == ColumnType::Real) {
            throw StoreError(fmt::format("table {}: key column {} must be an integer or a text",
                                         spec.table, key.name));
        }
    }
    std::set<std::string_view> seen;
    for (const auto& text : fts::text_columns(spec.table)) {
        seen.insert(text.column);
    }
    validate_names(spec.table, spec.key, seen);
    validate_names(spec.table, spec.columns, seen);
    for (const auto& join : spec.joins) {
        std::vector<std::string> parent_names;
        for (const auto& key : spec.key) {
            parent_names.push_back(parent_column(spec, key));
        }
        std::set<std::string_view> join_seen(parent_names.begin(), parent_names.end());
        validate_names(join.table, join.columns, join_seen);
    }
}

void ensure_table(sqlite::Connection& db, const TableSpec& spec, std::span<const TableSpec> all) {
    std::string definitions;
    for (const auto& key : spec.key) {
        definitions +=
            fmt::format("{} {} NOT NULL, ", quote_identifier(key.name), sql_type(key.type));
    }
    std::vector<ColumnSpec> columns(spec.columns.begin(), spec.columns.end());
    for (const auto& text : fts::text_columns(spec.table)) {
        columns.push_back({text.column, ColumnType::Text});
    }
    for (const auto& column : columns) {
        definitions += fmt::format("{} {}, ", quote_identifier(column.name), sql_type(column.type));
    }
    definitions +=
        "data TEXT NOT NULL, hash TEXT NOT NULL, first_seen_at TEXT NOT NULL, changed_at TEXT "
        "NOT NULL, seen_run INTEGER, changed_run INTEGER, deleted_at TEXT, ";
    std::vector<ColumnSpec> referencing(spec.key.begin(), spec.key.end());
    referencing.insert(referencing.end(), spec.columns.begin(), spec.columns.end());
    auto primary_key = key_names(spec);
    auto foreign = foreign_keys(spec.table, referencing, all);
    auto body = table_body(definitions, primary_key, foreign);
    db.exec(fmt::format("CREATE TABLE IF NOT EXISTS {}({})", quote_identifier(spec.table), body));
    add_missing_columns(db, spec.table, spec.key, columns);
    if (!keys_as_wanted(db, spec.table, primary_key, foreign)) {
        rebuild(db, spec.table, body);
    }
    create_indexes(db, spec.table, referencing);
    for (const auto& join : spec.joins) {
        ensure_join(db, spec, join, all);
    }
}

void ensure_history_views(sqlite::Connection& db, std::span<const TableSpec> specs) {
    for (const auto& spec : specs) {
        std::string keys;
        for (const auto& key : spec.key) {
            keys += fmt::format("t.{}, ", quote_identifier(key.name));
        }
        auto view = quote_identifier(singular(spec.table) + "_history");
        db.exec(fmt::format("DROP VIEW IF EXISTS {}", view));
        db.exec(fmt::format(
            "CREATE VIEW {0} AS "
            "SELECT {1}t.data, t.changed_at AS valid_from, NULL AS valid_to, 0 AS deleted, "
            "t.changed_run AS run_id, 1 AS current FROM {2} t WHERE t.deleted_at IS NULL "
            "UNION ALL "
            "SELECT {1}h.data, h.valid_from, h.valid_to, h.deleted, h.run_id, 0 AS current "
            "FROM {2} t JOIN history h ON h.resource = {3} AND h.key = {4}",
            view, keys, quote_identifier(spec.table), sqlite::quote_literal(spec.resource),
            key_text_sql(spec, "t")));
    }
}

std::string key_text_sql(const TableSpec& spec, std::string_view alias) {
    std::string expression;
    for (const auto& key : spec.key) {
        auto column = fmt::format("{}.{}", alias, quote_identifier(key.name));
        if (!expression.empty()) {
            expression += " || '/' || ";
        }
        expression += key.type == ColumnType::Integer
                          ? fmt::format("CAST({} AS TEXT)", column)
                          : fmt::format("replace(replace({}, '%', '%25'), '/', '%2F')", column);
    }
    return expression;
}

std::string key_match_sql(const TableSpec& spec, int first) {
    std::string match;
    for (const auto& key : spec.key) {
        match += fmt::format("{}{} = ?{}", match.empty() ? "" : " AND ", quote_identifier(key.name),
                             first++);
    }
    return match;
}

std::string parent_column(const TableSpec& parent, const ColumnSpec& key) {
    return fmt::format("{}_{}", singular(parent.table), key.name);
}

std::string singular(std::string_view table) {
    if (table.size() > 1 && table.back() == 's') {
        table.remove_suffix(1);
    }
    return std::string(table);
}

const ColumnSpec& column(const TableSpec& spec, std::string_view name) {
    for (const auto* group : {&spec.key, &spec.columns}) {
        for (const auto& column : *group) {
            if (column.name == name) {
                return column;
            }
        }
    }
    throw StoreError(fmt::format("table {} has no column {}", spec.table, name));
}

}  // namespace smartq::store::schema
