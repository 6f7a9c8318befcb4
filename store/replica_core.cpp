#include "store/replica_core.hpp"

#include <sqlite3.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <utility>

#include "store/fts.hpp"
#include "store/plain_text.hpp"
#include "store/schema.hpp"
#include "store/views.hpp"

namespace smartq::store::detail {

using sqlite::quote_identifier;

namespace {

constexpr int kBusyTimeoutMs = 10000;

int open_flags(Mode mode) {
    return mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY
                                  : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
}

const std::filesystem::path& prepared_path(const std::filesystem::path& path, Mode mode) {
    if (mode == Mode::ReadOnly) {
        if (!std::filesystem::exists(path)) {
            throw StoreError(fmt::format("there is no replica at {}", path.string()));
        }
    } else if (path.has_parent_path()) {
        std::error_code error;
        std::filesystem::create_directories(path.parent_path(), error);
        if (error) {
            throw StoreError(fmt::format("cannot create the directory {}: {}",
                                         path.parent_path().string(), error.message()));
        }
    }
    return path;
}

// Opening stays cheap however large the replica: reading the schema proves
// the file is a database. The full check (PRAGMA integrity_check, which
// reads every page) is verify's job; on a 70 MB replica quick_check alone
// was two thirds of a no-change sync's CPU.
void check_is_database(sqlite::Connection& db) {
    try {
        sqlite::Statement probe(db, "SELECT count(*) FROM sqlite_schema");
        probe.step();
    } catch (const ReplicaDamaged&) {
        throw;
    } catch (const StoreError& error) {
        throw ReplicaDamaged(
            fmt::format("the replica at {} is damaged: {}", db.path().string(), error.what()));
    }
}

std::string column_names(std::span<const ColumnSpec> columns, std::string_view prefix = {}) {
    std::string names;
    for (const auto& column : columns) {
        names +=
            fmt::format("{}{}{}", names.empty() ? "" : ", ", prefix, quote_identifier(column.name));
    }
    return names;
}

std::string placeholders(int first, std::size_t count) {
    std::string list;
    for (std::size_t i = 0; i < count; ++i) {
        list += fmt::format("{}?{}", i == 0 ? "" : ", ", first + static_cast<int>(i));
    }
    return list;
}

TableStatements prepare_table(const sqlite::Connection& db, const TableSpec& spec) {
    auto table = quote_identifier(spec.table);
    auto where = schema::key_match_sql(spec);
    int keys = static_cast<int>(spec.key.size());
    int data = keys + static_cast<int>(spec.columns.size()) + 1;
    std::string typed = spec.columns.empty() ? "" : column_names(spec.columns) + ", ";
    std::string assignments;
    for (std::size_t i = 0; i < spec.columns.size(); ++i) {
        assignments += fmt::format("{} = ?{}, ", quote_identifier(spec.columns[i].name),
                                   keys + 1 + static_cast<int>(i));
    }
    // The plain-text columns are computed from the data parameter by the same statement.
    std::string text_names;
    std::string text_values;
    for (const auto& text : fts::text_columns(spec.table)) {
        auto value = fts::text_value_sql(text, fmt::format("?{}", data));
        text_names += ", " + quote_identifier(text.column);
        text_values += ", " + value;
        assignments += fmt::format("{} = {}, ", quote_identifier(text.column), value);
    }
    TableStatements statements{
        .select = sqlite::Statement(
            db, fmt::format("SELECT hash, deleted_at, data, changed_at, changed_run FROM {} "
                            "WHERE {}",
                            table, where)),
        .insert = sqlite::Statement(
            db,
            fmt::format("INSERT INTO {}({}, {}data, hash, first_seen_at, changed_at, "
                        "seen_run, changed_run{}) VALUES({}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}{})",
                        table, column_names(spec.key), typed, text_names, placeholders(1, data - 1),
                        data, data + 1, data + 2, data + 2, data + 3, data + 3, text_values)),
        .update = sqlite::Statement(
            db, fmt::format("UPDATE {} SET {}data = ?{}, hash = ?{}, changed_at = ?{}, "
                            "changed_run = ?{}, deleted_at = NULL WHERE {}",
                            table, assignments, data, data + 1, data + 2, data + 3, where)),
        .find = sqlite::Statement(
            db, fmt::format("SELECT {}data, hash, first_seen_at, changed_at, seen_run, "
                            "changed_run, deleted_at FROM {} WHERE {}",
                            typed, table, where)),
        .join_delete = {},
        .join_insert = {},
    };
    std::vector<std::string> parent_columns;
    for (const auto& key : spec.key) {
        parent_columns.push_back(quote_identifier(schema::parent_column(spec, key)));
    }
    std::string parent_list = fmt::format("{}", fmt::join(parent_columns, ", "));
    std::string parent_match;
    for (std::size_t i = 0; i < parent_columns.size(); ++i) {
        parent_match += fmt::format("{}{} = ?{}", i == 0 ? "" : " AND ", parent_columns[i], i + 1);
    }
    for (const auto& join : spec.joins) {
        auto join_table = quote_identifier(join.table);
        statements.join_delete.emplace_back(
            db, fmt::format("DELETE FROM {} WHERE {}", join_table, parent_match));
        statements.join_insert.emplace_back(
            db, fmt::format("INSERT OR IGNORE INTO {}({}{}{}) VALUES({})", join_table, parent_list,
                            join.columns.empty() ? "" : ", ", column_names(join.columns),
                            placeholders(1, spec.key.size() + join.columns.size())));
    }
    return statements;
}

}  // namespace

ReplicaCore::ReplicaCore(const std::filesystem::path& path, std::span<const TableSpec> specs,
                         Mode mode)
    : db(prepared_path(path, mode), open_flags(mode)),
      mode(mode),
      specs(specs.begin(), specs.end()) {
    sqlite3_busy_timeout(db.handle(), kBusyTimeoutMs);
    register_plain_text(db);
    check_is_database(db);
    if (mode == Mode::ReadOnly) {
        schema::check_version(db);
        schema::alias_internal_tables(db);
        db.exec("PRAGMA query_only = ON");
        return;
    }
    for (const auto& spec : specs) {
        schema::validate(spec);
    }
    // Statement journals and sweep tables are small and short-lived: no temporary files for them.
    // Foreign keys are declared for readers, not enforced (links.hpp): the mirror of a server that
    // breaks a reference stores the row all the same; verify's check names a missing parent.
    // A crawl's write batch touches pages all over the tables and their indexes: with SQLite's
    // 2 MiB page cache it spilled them to the WAL mid-batch and read them back (a full sync of
    // medium: 196,000 pwrites and 152,000 preads for a 78 MB replica). 4 MiB and a checkpoint
    // every 10,000 frames (not 1,000): 156,000 and 101,000. 8 MiB would cut further (126,000 and
    // 61,000) but take large's peak RSS to 63 MiB, next to its 64 MiB bound.
    db.exec(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF; "
        "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -4096; PRAGMA wal_autocheckpoint = 10000");
    WriteScope scope(*this);
    schema::migrate(db);
    for (const auto& spec : specs) {
        schema::ensure_table(db, spec, specs);
    }
    schema::ensure_history_views(db, specs);
    schema::migrate_rows(db, specs);
    fts::ensure_indexes(db, specs);
    index_flush_ = fts::flush_sql(db);
    views::ensure(db, specs);
    scope.commit();
}

sqlite::Statement& ReplicaCore::cached(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        it = cache_.emplace(sql, sqlite::Statement(db, sql)).first;
    }
    return it->second;
}

const TableSpec& ReplicaCore::known_spec(const TableSpec& spec) const {
    for (const auto& known : specs) {
        if (known.table == spec.table) {
            return known;
        }
    }
    throw StoreError(
        fmt::format("table {} was not among the specs the replica at {} was "
                    "opened with",
                    spec.table, db.path().string()));
}

TableStatements& ReplicaCore::table(const TableSpec& spec) {
    auto it = tables_.find(spec.table);
    if (it == tables_.end()) {
        const auto& known = known_spec(spec);
        it = tables_.emplace(known.table, prepare_table(db, known)).first;
    }
    return it->second;
}

void ReplicaCore::require_writable(std::string_view doing) const {
    if (mode == Mode::ReadOnly) {
        throw StoreError(fmt::format("cannot {}: the replica at {} is open read-only", doing,
                                     db.path().string()));
    }
}

void ReplicaCore::add_change(std::string_view resource, std::string_view key, std::string_view kind,
                             RunId run, std::string_view at) {
    // The check the unenforced foreign key of changes.run_id would make, once per run: an
    // INSERT ... SELECT WHERE EXISTS on every row cost 4% of a full sync's instructions.
    if (run != checked_run_) {
        auto& exists = cached("SELECT 1 FROM runs WHERE id = ?1");
        bool found = exists.bind(1, run).step();
        exists.reset();
        if (!found) {
            throw StoreError(
                fmt::format("run {} is not a run of the replica at {}", run, db.path().string()));
        }
        checked_run_ = run;
    }
    cached("INSERT INTO changes(run_id, resource, key, kind, at) VALUES(?1, ?2, ?3, ?4, ?5)")
        .bind(1, run)
        .bind(2, resource)
        .bind(3, key)
        .bind(4, kind)
        .bind(5, at)
        .run();
}

void ReplicaCore::add_history(std::string_view resource, std::string_view key, RunId version_run,
                              std::string_view valid_from, std::string_view valid_to,
                              std::string_view data, bool deleted) {
    cached(
        "INSERT INTO history(resource, key, run_id, valid_from, valid_to, data, deleted) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)")
        .bind(1, resource)
        .bind(2, key)
        .bind(3, version_run)
        .bind(4, valid_from)
        .bind(5, valid_to)
        .bind(6, data)
        .bind(7, std::int64_t{deleted})
        .run();
}

std::int64_t ReplicaCore::tombstone_where(const TableSpec& spec, std::string_view where,
                                          std::span<const Value> params, RunId run,
                                          std::string_view at) {
    require_writable("mark rows deleted");
    known_spec(spec);
    auto time = time_or_now(at);
    auto table = quote_identifier(spec.table);
    auto key = schema::key_text_sql(spec, "t");
    auto resource = sqlite::quote_literal(spec.resource);
    auto live = fmt::format("t.deleted_at IS NULL AND ({})", where);
    // The history row keeps the content as it was when the object disappeared.
    std::string statements[] = {
        fmt::format("INSERT INTO history(resource, key, run_id, valid_from, valid_to, data, "
                    "deleted) SELECT {}, {}, t.changed_run, t.changed_at, ?2, t.data, 1 "
                    "FROM {} t WHERE {}",
                    resource, key, table, live),
        fmt::format("INSERT INTO changes(run_id, resource, key, kind, at) "
                    "SELECT ?1, {}, {}, 'delete', ?2 FROM {} t WHERE {}",
                    resource, key, table, live),
        fmt::format("UPDATE {} AS t SET deleted_at = ?2 WHERE {}", table, live),
    };
    WriteScope scope(*this);
    std::int64_t marked = 0;
    for (const auto& sql : statements) {
        auto& statement = cached(sql);
        statement.bind(1, run).bind(2, time);
        bind_from(statement, 3, params);
        statement.run();
        marked = statement.changes();
    }
    scope.commit();
    return marked;
}

QueryResult read_rows(const sqlite::Connection& db, std::string_view sql,
                      std::span<const Value> params) {
    sqlite::Statement statement(db, sql);
    return read_rows(statement, params);
}

QueryResult read_rows(sqlite::Statement& statement, std::span<const Value> params) {
    if (!statement.read_only()) {
        throw StoreError("a query may only read; this statement would change the replica");
    }
    // A cached statement must be ready for its next use however this one ends.
    struct ResetAtEnd {
        sqlite::Statement& statement;
        ~ResetAtEnd() { statement.reset(); }
    } reset_at_end{statement};
    bind_from(statement, 1, params);
    QueryResult result;
    for (int i = 0; i < statement.column_count(); ++i) {
        result.columns.push_back(statement.column_name(i));
    }
    while (statement.step()) {
        auto& row = result.rows.emplace_back();
        for (int i = 0; i < statement.column_count(); ++i) {
            row.push_back(statement.value(i));
        }
    }
    return result;
}

void bind_from(sqlite::Statement& statement, int first, std::span<const Value> params) {
    for (std::size_t i = 0; i < params.size(); ++i) {
        int position = first + static_cast<int>(i);
        if (position <= statement.parameter_count()) {
            statement.bind_value(position, params[i]);
        }
    }
}

// Transaction control runs thousands of times a run: prepared once, not parsed each time.
void ReplicaCore::control(const std::string& sql) {
    cached(sql).run();
}

void ReplicaCore::commit_transaction() {
    if (before_commit) {
        before_commit();
    }
    for (const auto& sql : index_flush_) {
        cached(sql).run();
    }
    control("COMMIT");
}

void ReplicaCore::check_batch_alive() noexcept {
    if (batch_open_ && !db.in_transaction()) {
        batch_open_ = false;
        ++lost_windows_;
        checked_run_ = 0;
    }
}

void ReplicaCore::commit_batch() {
    if (commit_faults && commit_faults->fails()) {
        rollback_all();
        throw StoreError(
            fmt::format("committing to {} failed: database or disk is full", db.path().string()));
    }
    commit_transaction();
    batch_open_ = false;
}

void ReplicaCore::begin_unit() {
    if (!batch_window_) {
        control("BEGIN IMMEDIATE");
    } else {
        // Also after SQLite rolled the batch back by itself (a full disk, say).
        check_batch_alive();
        if (!db.in_transaction()) {
            control("BEGIN IMMEDIATE");
            batch_open_ = true;
            batch_began_ = std::chrono::steady_clock::now();
        }
        control("SAVEPOINT unit");
    }
    ++units_;
}

void ReplicaCore::commit_unit() {
    --units_;
    try {
        if (!batch_window_) {
            commit_transaction();
            batch_open_ = false;  // a batch ended while this unit was open
            return;
        }
        control("RELEASE unit");
        if (units_ == 0 && std::chrono::steady_clock::now() - batch_began_ >= *batch_window_) {
            commit_batch();
        }
    } catch (...) {
        // Leave no half-ended transaction behind: the next unit starts clean.
        rollback_all();
        throw;
    }
}

void ReplicaCore::rollback_all() noexcept {
    check_batch_alive();
    if (!db.in_transaction()) {
        return;
    }
    if (std::exchange(batch_open_, false)) {
        ++lost_windows_;
    }
    checked_run_ = 0;
    try {
        control("ROLLBACK");
    } catch (const std::exception& error) {
        spdlog::error("{}", error.what());
    }
}

void ReplicaCore::abort_unit() noexcept {
    --units_;
    checked_run_ = 0;
    if (!batch_window_) {
        rollback_all();
        return;
    }
    // SQLite may already have rolled the batch back by itself (e.g. on a full disk).
    check_batch_alive();
    if (!db.in_transaction()) {
        return;
    }
    try {
        control("ROLLBACK TO unit");
        control("RELEASE unit");
    } catch (const std::exception& error) {
        spdlog::error("{}", error.what());
    }
}

void ReplicaCore::start_batch(std::chrono::milliseconds window) {
    require_writable("batch writes");
    if (units_ > 0 || batch_window_) {
        throw StoreError("a write batch cannot start inside a transaction or another batch on " +
                         db.path().string());
    }
    batch_window_ = window;
}

void ReplicaCore::end_batch() {
    batch_window_.reset();
    check_batch_alive();
    if (units_ == 0 && db.in_transaction()) {
        try {
            commit_batch();
        } catch (...) {
            rollback_all();
            throw;
        }
    }
}

WriteScope::WriteScope(ReplicaCore& core) : core_(core), own_(!core.in_unit()) {
    core_.require_writable("write");
    if (own_) {
        core_.begin_unit();
    }
}

WriteScope::~WriteScope() {
    if (own_) {
        core_.abort_unit();
    }
}

void WriteScope::commit() {
    if (own_) {
        own_ = false;
        core_.commit_unit();
    }
}

std::string time_or_now(std::string_view at) {
    return at.empty() ? utc_now() : checked_time(at);
}

std::string checked_time(std::string_view at) {
    static constexpr std::string_view pattern = "dddd-dd-dd dd:dd:dd";
    bool well_formed = at.size() == pattern.size();
    for (std::size_t i = 0; well_formed && i < at.size(); ++i) {
        well_formed = pattern[i] == 'd' ? (at[i] >= '0' && at[i] <= '9') : at[i] == pattern[i];
    }
    if (!well_formed) {
        throw StoreError(fmt::format("'{}' is not a time of the form YYYY-MM-DD HH:MM:SS", at));
    }
    return std::string(at);
}

}  // namespace smartq::store::detail

namespace smartq::store {

std::string utc_now() {
    // Every stored record asks; formatting the time once a second is enough.
    thread_local std::chrono::sys_seconds last{};
    thread_local std::string text;
    auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    if (now != last || text.empty()) {
        last = now;
        text = fmt::format("{:%Y-%m-%d %H:%M:%S}", now);
    }
    return text;
}

}  // namespace smartq::store
