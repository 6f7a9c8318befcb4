#include "store/replica.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "store/links.hpp"
#include "store/replica_core.hpp"
#include "store/schema.hpp"
#include "store/sha256.hpp"

namespace smartq::store {

using detail::WriteScope;
using sqlite::quote_identifier;

namespace {

void check_shape(const TableSpec& spec, const Record& record) {
    if (record.key.size() != spec.key.size() || record.columns.size() != spec.columns.size() ||
        record.joins.size() != spec.joins.size()) {
        throw StoreError(fmt::format(
            "a {} record has {} key value(s), {} column(s) and {} join(s) where the table has "
            "{}, {} and {}",
            spec.resource, record.key.size(), record.columns.size(), record.joins.size(),
            spec.key.size(), spec.columns.size(), spec.joins.size()));
    }
    for (std::size_t j = 0; j < spec.joins.size(); ++j) {
        for (const auto& row : record.joins[j]) {
            if (row.size() != spec.joins[j].columns.size()) {
                throw StoreError(fmt::format("a row for {} has {} value(s) where it needs {}",
                                             spec.joins[j].table, row.size(),
                                             spec.joins[j].columns.size()));
            }
        }
    }
}

void check_key(const TableSpec& spec, std::span<const Value> key) {
    if (key.size() != spec.key.size()) {
        throw StoreError(fmt::format("a key of {} has {} part(s), not {}", spec.resource,
                                     key.size(), spec.key.size()));
    }
}

void bind_key(sqlite::Statement& statement, std::span<const Value> key, int first = 1) {
    for (std::size_t i = 0; i < key.size(); ++i) {
        statement.bind_value(first + static_cast<int>(i), key[i]);
    }
}

// The version a write replaces, as the select statement returns it.
struct Previous {
    std::string hash;
    bool deleted;
    std::string data;
    std::string changed_at;
    RunId changed_run;
};

std::optional<Previous> read_previous(sqlite::Statement& select, std::span<const Value> key) {
    bind_key(select, key);
    std::optional<Previous> previous;
    if (select.step()) {
        previous = Previous{select.text(0), !select.is_null(1), select.text(2), select.text(3),
                            select.integer(4)};
    }
    select.reset();
    return previous;
}

void write_row(sqlite::Statement& statement, const Record& record, std::string_view hash,
               std::string_view at, RunId run) {
    bind_key(statement, record.key);
    int position = static_cast<int>(record.key.size()) + 1;
    for (const auto& value : record.columns) {
        statement.bind_value(position++, value);
    }
    statement.bind(position, std::string_view(record.data))
        .bind(position + 1, hash)
        .bind(position + 2, at)
        .bind(position + 3, run)
        .run();
}

void replace_joins(detail::TableStatements& statements, const Record& record, bool had_rows) {
    for (std::size_t j = 0; j < record.joins.size(); ++j) {
        if (had_rows) {
            bind_key(statements.join_delete[j], record.key);
            statements.join_delete[j].run();
        }
        auto& insert = statements.join_insert[j];
        for (const auto& row : record.joins[j]) {
            bind_key(insert, record.key);
            bind_key(insert, row, static_cast<int>(record.key.size()) + 1);
            insert.run();
        }
    }
}

std::string_view change_name(ChangeKind kind) {
    switch (kind) {
        case ChangeKind::Inserted:
            return "insert";
        case ChangeKind::Updated:
            return "update";
        case ChangeKind::Undeleted:
            return "undelete";
        case ChangeKind::Unchanged:
            break;
    }
    return "unchanged";
}

}  // namespace

std::string_view to_string(ChangeKind kind) {
    switch (kind) {
        case ChangeKind::Inserted:
            return "inserted";
        case ChangeKind::Updated:
            return "updated";
        case ChangeKind::Unchanged:
            return "unchanged";
        case ChangeKind::Undeleted:
            return "undeleted";
    }
    return "unknown";
}

Transaction::Transaction(detail::ReplicaCore& core) : core_(&core) {
    core.require_writable("begin a transaction");
    if (core.in_unit()) {
        throw StoreError("a transaction is already open on the replica at " +
                         core.db.path().string());
    }
    core.begin_unit();
}

Transaction::Transaction(Transaction&& other) noexcept
    : core_(std::exchange(other.core_, nullptr)) {}

Transaction::~Transaction() {
    if (core_ != nullptr) {
        core_->abort_unit();
    }
}

void Transaction::commit() {
    if (core_ == nullptr) {
        throw StoreError("the transaction was already committed");
    }
    std::exchange(core_, nullptr)->commit_unit();
}

WriteBatch::WriteBatch(detail::ReplicaCore& core, std::chrono::milliseconds window) : core_(&core) {
    core.start_batch(window);
}

WriteBatch::WriteBatch(WriteBatch&& other) noexcept : core_(std::exchange(other.core_, nullptr)) {}

WriteBatch::~WriteBatch() {
    if (core_ == nullptr) {
        return;
    }
    try {
        core_->end_batch();
    } catch (const std::exception& error) {
        spdlog::error("{}", error.what());
    }
}

void WriteBatch::commit() {
    if (core_ == nullptr) {
        throw StoreError("the write batch was already committed");
    }
    std::exchange(core_, nullptr)->end_batch();
}

Replica::Replica(std::unique_ptr<detail::ReplicaCore> core) : core_(std::move(core)) {}
Replica::Replica(Replica&&) noexcept = default;
Replica& Replica::operator=(Replica&&) noexcept = default;
Replica::~Replica() = default;

Replica Replica::open(const std::filesystem::path& db, std::span<const TableSpec> specs,
                      Mode mode) {
    auto core = std::make_unique<detail::ReplicaCore>(db, specs, mode);
    spdlog::debug("opened the replica at {} {}", db.string(),
                  mode == Mode::ReadOnly ? "read-only" : "read-write");
    return Replica(std::move(core));
}

const std::filesystem::path& Replica::path() const {
    return core_->db.path();
}

std::span<const TableSpec> Replica::specs() const {
    return core_->specs;
}

Transaction Replica::begin() {
    return Transaction(*core_);
}

WriteBatch Replica::batch(std::chrono::milliseconds window) {
    return WriteBatch(*core_, window);
}

ChangeKind Replica::upsert(const TableSpec& spec, const Record& record, RunId run,
                           std::string_view at) {
    check_shape(spec, record);
    auto& statements = core_->table(spec);
    auto hash = sha256_hex(record.data);
    WriteScope scope(*core_);
    auto previous = read_previous(statements.select, record.key);
    if (previous && !previous->deleted && previous->hash == hash) {
        return ChangeKind::Unchanged;
    }
    auto time = detail::time_or_now(at);
    auto key = key_text(record);
    ChangeKind kind = ChangeKind::Inserted;
    if (!previous) {
        write_row(statements.insert, record, hash, time, run);
    } else {
        // A tombstoned row's last version went to history when it was tombstoned.
        kind = previous->deleted ? ChangeKind::Undeleted : ChangeKind::Updated;
        if (kind == ChangeKind::Updated) {
            core_->add_history(spec.resource, key, previous->changed_run, previous->changed_at,
                               time, previous->data, false);
        }
        write_row(statements.update, record, hash, time, run);
    }
    replace_joins(statements, record, previous.has_value());
    core_->add_change(spec.resource, key, change_name(kind), run, time);
    scope.commit();
    return kind;
}

std::optional<StoredRow> Replica::find(const TableSpec& spec, std::span<const Value> key) {
    check_key(spec, key);
    auto& find = core_->table(spec).find;
    bind_key(find, key);
    std::optional<StoredRow> row;
    if (find.step()) {
        row.emplace();
        int i = 0;
        for (; i < std::ssize(spec.columns); ++i) {
            row->columns.push_back(find.value(i));
        }
        row->data = find.text(i);
        row->hash = find.text(i + 1);
        row->first_seen_at = find.text(i + 2);
        row->changed_at = find.text(i + 3);
        row->seen_run = find.integer(i + 4);
        row->changed_run = find.integer(i + 5);
        if (!find.is_null(i + 6)) {
            row->deleted_at = find.text(i + 6);
        }
    }
    find.reset();
    return row;
}

bool Replica::set_column(const TableSpec& spec, std::span<const Value> key, std::string_view column,
                         const Value& value) {
    check_key(spec, key);
    core_->table(spec);
    schema::column(spec, column);
    auto& statement =
        core_->cached(fmt::format("UPDATE {} SET {} = ?1 WHERE {}", quote_identifier(spec.table),
                                  quote_identifier(column), schema::key_match_sql(spec, 2)));
    WriteScope scope(*core_);
    statement.bind_value(1, value);
    bind_key(statement, key, 2);
    statement.run();
    bool found = statement.changes() > 0;
    scope.commit();
    return found;
}

bool Replica::tombstone(const TableSpec& spec, std::span<const Value> key, RunId run,
                        std::string_view at) {
    check_key(spec, key);
    return core_->tombstone_where(spec, schema::key_match_sql(spec, 3), key, run, at) > 0;
}

std::int64_t Replica::tombstone_children(const TableSpec& child, std::string_view parent_column,
                                         const Value& parent, RunId run, std::string_view at) {
    schema::column(child, parent_column);
    auto where = fmt::format("t.{} = ?3", quote_identifier(parent_column));
    return core_->tombstone_where(child, where, std::span(&parent, 1), run, at);
}

std::optional<std::string> Replica::get_state(std::string_view key) {
    auto& select = core_->cached("SELECT value FROM _sync_state WHERE key = ?1");
    select.bind(1, key);
    std::optional<std::string> value;
    if (select.step()) {
        value = select.text(0);
    }
    select.reset();
    return value;
}

void Replica::set_state(std::string_view key, std::string_view value) {
    core_->require_writable("save the sync state");
    core_->cached("INSERT OR REPLACE INTO _sync_state(key, value) VALUES(?1, ?2)")
        .bind(1, key)
        .bind(2, value)
        .run();
}

std::optional<std::string> Replica::get_mark(std::string_view resource, std::string_view key) {
    auto& select = core_->cached("SELECT marker FROM _sync_marks WHERE resource = ?1 AND key = ?2");
    select.bind(1, resource).bind(2, key);
    std::optional<std::string> marker;
    if (select.step()) {
        marker = select.text(0);
    }
    select.reset();
    return marker;
}

void Replica::set_mark(std::string_view resource, std::string_view key, std::string_view marker) {
    core_->require_writable("save a sync mark");
    // A unit of the batch: outside one it would be committed at once, also after the window
    // holding the work it vouches for was rolled back.
    WriteScope scope(*core_);
    core_->cached("INSERT OR REPLACE INTO _sync_marks(resource, key, marker) VALUES(?1, ?2, ?3)")
        .bind(1, resource)
        .bind(2, key)
        .bind(3, marker)
        .run();
    scope.commit();
}

void Replica::drop_mark(std::string_view resource, std::string_view key) {
    core_->require_writable("drop a sync mark");
    WriteScope scope(*core_);
    core_->cached("DELETE FROM _sync_marks WHERE resource = ?1 AND key = ?2")
        .bind(1, resource)
        .bind(2, key)
        .run();
    scope.commit();
}

std::uint64_t Replica::lost_windows() const {
    return core_->lost_windows();
}

void Replica::before_commit(std::function<void()> hook) {
    core_->before_commit = std::move(hook);
}

void Replica::inject_commit_faults(FailCount* faults) {
    core_->commit_faults = faults;
}

std::unordered_map<std::string, std::string> Replica::marks(std::string_view resource) {
    auto& select = core_->cached("SELECT key, marker FROM _sync_marks WHERE resource = ?1");
    select.bind(1, resource);
    std::unordered_map<std::string, std::string> all;
    while (select.step()) {
        all.emplace(select.text(0), select.text(1));
    }
    select.reset();
    return all;
}

std::optional<std::string> Replica::mapped_key(std::string_view target, std::string_view resource,
                                               std::string_view old_key) {
    auto& select = core_->cached(
        "SELECT new_key FROM _id_map WHERE target = ?1 AND resource = ?2 AND old_key = ?3");
    select.bind(1, target).bind(2, resource).bind(3, old_key);
    std::optional<std::string> new_key;
    if (select.step()) {
        new_key = select.text(0);
    }
    select.reset();
    return new_key;
}

void Replica::map_key(std::string_view target, std::string_view resource, std::string_view old_key,
                      std::string_view new_key) {
    core_->require_writable("save the id map");
    core_
        ->cached(
            "INSERT OR REPLACE INTO _id_map(target, resource, old_key, new_key) "
            "VALUES(?1, ?2, ?3, ?4)")
        .bind(1, target)
        .bind(2, resource)
        .bind(3, old_key)
        .bind(4, new_key)
        .run();
}

std::string Replica::as_of_sql(const TableSpec& spec, std::string_view time) const {
    auto at = sqlite::quote_literal(detail::checked_time(time));
    std::string keys;
    for (const auto& key : spec.key) {
        keys += fmt::format("t.{}, ", quote_identifier(key.name));
    }
    // History intervals never overlap the live current version (see replica.hpp), so the two
    // halves never yield the same object twice. Names are schema-qualified so that a common
    // table expression named like the table (query --at) can shadow it.
    return fmt::format(
        "SELECT {0}t.data FROM main.{1} t WHERE t.deleted_at IS NULL AND t.changed_at <= {2} "
        "UNION ALL "
        "SELECT {0}h.data FROM main.{1} t JOIN main.history h ON h.resource = {3} AND h.key = {4} "
        "WHERE h.valid_from <= {2} AND h.valid_to > {2}",
        keys, quote_identifier(spec.table), at, sqlite::quote_literal(spec.resource),
        schema::key_text_sql(spec, "t"));
}

QueryResult Replica::query(std::string_view sql, std::span<const Value> params) {
    return detail::read_rows(core_->db, sql, params);
}

QueryResult Replica::repeated_query(const std::string& sql, std::span<const Value> params) {
    return detail::read_rows(core_->cached(sql), params);
}

std::vector<std::string> Replica::integrity_check() {
    std::vector<std::string> problems;
    sqlite::Statement integrity(core_->db, "PRAGMA integrity_check");
    while (integrity.step()) {
        if (auto line = integrity.text(0); line != "ok") {
            problems.push_back(std::move(line));
        }
    }
    // A link (links.hpp) may name a row the source never showed; a missing parent is damage.
    sqlite::Statement foreign_keys(
        core_->db,
        "SELECT c.\"table\", c.rowid, c.parent, k.\"from\" FROM pragma_foreign_key_check c "
        "JOIN pragma_foreign_key_list(c.\"table\") k ON k.id = c.fkid AND k.seq = 0");
    while (foreign_keys.step()) {
        if (!links::is_link(core_->specs, foreign_keys.text(0), foreign_keys.text(3))) {
            problems.push_back(fmt::format("row {} of {} refers to a missing row of {}",
                                           foreign_keys.integer(1), foreign_keys.text(0),
                                           foreign_keys.text(2)));
        }
    }
    return problems;
}

std::int64_t Replica::total_changes() const {
    return core_->db.total_changes();
}

}  // namespace smartq::store
