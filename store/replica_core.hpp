#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/fail_count.hpp"
#include "store/replica.hpp"
#include "store/sqlite.hpp"

// The state behind a Replica, shared by its Transactions and Sweeps (which keep a pointer to it,
// so that moving the Replica does not invalidate them).
namespace smartq::store::detail {

// The prepared statements of one resource table: the upsert hot path.
struct TableStatements {
    sqlite::Statement select;  // hash, deleted_at, data, changed_at, changed_run
    sqlite::Statement insert;  // and update: keys, columns, data, hash, at, run
    sqlite::Statement update;
    sqlite::Statement find;
    std::vector<sqlite::Statement> join_delete;
    std::vector<sqlite::Statement> join_insert;
};

class ReplicaCore {
  public:
    ReplicaCore(const std::filesystem::path& path, std::span<const TableSpec> specs, Mode mode);

    sqlite::Connection db;
    Mode mode;
    std::vector<TableSpec> specs;

    // Statements whose text does not vary per call, prepared once.
    sqlite::Statement& cached(const std::string& sql);
    TableStatements& table(const TableSpec& spec);
    void require_writable(std::string_view doing) const;

    void add_change(std::string_view resource, std::string_view key, std::string_view kind,
                    RunId run, std::string_view at);
    void add_history(std::string_view resource, std::string_view key, RunId version_run,
                     std::string_view valid_from, std::string_view valid_to, std::string_view data,
                     bool deleted);
    // Tombstones the live rows `t` of the spec's table matching `where`, whose parameters are
    // ?3, ?4, ... bound from `params` (those `where` uses); returns how many.
    std::int64_t tombstone_where(const TableSpec& spec, std::string_view where,
                                 std::span<const Value> params, RunId run, std::string_view at);

    int next_sweep = 0;

    // A write unit is a Transaction or an outermost WriteScope: atomic on its own. Without a
    // batch it is a transaction; inside one it is a savepoint of the batch's transaction, which
    // is committed once a unit ends `window` after the transaction began.
    void begin_unit();
    void commit_unit();
    void abort_unit() noexcept;
    bool in_unit() const { return units_ > 0; }
    void start_batch(std::chrono::milliseconds window);
    void end_batch();  // commits what the batch holds
    void rollback_all() noexcept;
    // Batch transactions rolled back whole (a failed COMMIT, or SQLite's own rollback on a full
    // disk): every unit of such a window is gone, also those whose commit_unit() had returned.
    std::uint64_t lost_windows() const { return lost_windows_; }
    FailCount* commit_faults = nullptr;  // test hook: fails chosen batch COMMITs
    std::function<void()> before_commit;  // Replica::before_commit

  private:
    void control(const std::string& sql);
    // COMMITs the open transaction, its search indexes brought up to date first.
    void commit_transaction();
    void commit_batch();
    // Notices a batch transaction SQLite rolled back by itself.
    void check_batch_alive() noexcept;
    const TableSpec& known_spec(const TableSpec& spec) const;

    std::unordered_map<std::string, sqlite::Statement> cache_;
    std::unordered_map<std::string_view, TableStatements> tables_;
    std::vector<std::string> index_flush_;  // fts::flush_sql
    int units_ = 0;
    std::optional<std::chrono::milliseconds> batch_window_;
    std::chrono::steady_clock::time_point batch_began_;
    bool batch_open_ = false;  // a batch transaction was begun and not yet ended
    std::uint64_t lost_windows_ = 0;
    // The run add_change last found in runs; forgotten by every rollback, which may have taken
    // the run's own row.
    RunId checked_run_ = 0;
};

// Joins the caller's open write unit, or opens (and on commit() ends) one of its own.
class WriteScope {
  public:
    explicit WriteScope(ReplicaCore& core);
    WriteScope(const WriteScope&) = delete;
    ~WriteScope();
    void commit();

  private:
    ReplicaCore& core_;
    bool own_;
};

// The rows of one read-only statement (StoreError for any other), ?1... bound from params.
QueryResult read_rows(const sqlite::Connection& db, std::string_view sql,
                      std::span<const Value> params);
QueryResult read_rows(sqlite::Statement& statement, std::span<const Value> params);

// Binds params to ?first, ?first+1, ...: those the statement uses.
void bind_from(sqlite::Statement& statement, int first, std::span<const Value> params);

// `at` if given (checked to be 'YYYY-MM-DD HH:MM:SS'), else now.
std::string time_or_now(std::string_view at);
std::string checked_time(std::string_view at);  // StoreError unless 'YYYY-MM-DD HH:MM:SS'

}  // namespace smartq::store::detail
