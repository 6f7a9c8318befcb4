#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/errors.hpp"
#include "store/fail_count.hpp"
#include "store/run_log.hpp"
#include "store/table_spec.hpp"

// The SQLite replica of one account. One connection, used from one thread.
//
// Every resource table row carries, besides its key, typed columns and `data`:
//   hash          SHA-256 (hex) of data; decides whether an upsert changes anything
//   first_seen_at when the row was first stored, seen_run the run that stored it first
//   changed_at    when the current content was first seen, changed_run the run that saw it
//   deleted_at    NULL while the source has the object, else when it was first found gone
// `history` holds one row per superseded live version: [valid_from, valid_to), its data, the run
// that first saw that version, and deleted=1 if the version ended because the object was
// deleted. A tombstoned row's current content is therefore already in history.
// Times are UTC text 'YYYY-MM-DD HH:MM:SS'; an empty `at` argument means now.
namespace smartq::store {

namespace detail {
class ReplicaCore;
}

enum class Mode { ReadOnly, ReadWrite };

enum class ChangeKind { Inserted, Updated, Unchanged, Undeleted };
std::string_view to_string(ChangeKind kind);

struct StoredRow {
    std::string data;
    std::string hash;
    std::vector<Value> columns;  // in TableSpec::columns order
    std::string first_seen_at;
    std::string changed_at;
    RunId seen_run = 0;
    RunId changed_run = 0;
    std::optional<std::string> deleted_at;
};

struct QueryResult {
    std::vector<std::string> columns;
    std::vector<std::vector<Value>> rows;  // blobs come back as lowercase hex text
};

// BEGIN IMMEDIATE on construction (inside a WriteBatch: a savepoint of the batch's transaction);
// rolls back on destruction unless commit() was called.
class Transaction {
  public:
    Transaction(Transaction&& other) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();
    void commit();

  private:
    friend class Replica;
    explicit Transaction(detail::ReplicaCore& core);
    detail::ReplicaCore* core_;
};

// While it lives, the replica's write units (each Transaction, and each write outside one) are
// grouped into transactions about `window` long: a crawl storing a page at a time then pays for a
// commit a few times a second, not once a page. Each unit stays atomic; a crash loses at most the
// units of the last window, never part of one. commit() (or the destructor, which logs instead of
// throwing) commits what is pending and ends the batching.
class WriteBatch {
  public:
    WriteBatch(WriteBatch&& other) noexcept;
    WriteBatch& operator=(WriteBatch&&) = delete;
    ~WriteBatch();
    void commit();

  private:
    friend class Replica;
    WriteBatch(detail::ReplicaCore& core, std::chrono::milliseconds window);
    detail::ReplicaCore* core_;
};

// Finds the live rows of one scope (a whole table, or the rows whose scope column has one value)
// that the source no longer lists, without writing the rows it still lists. Seen keys are kept
// in a TEMP table (one per resource table, shared by its sweeps) until the Sweep ends. The spec
// must outlive the Sweep.
class Sweep {
  public:
    Sweep(Sweep&&) noexcept;
    Sweep& operator=(Sweep&&) = delete;
    ~Sweep();

    void saw(std::span<const Value> key);
    std::int64_t live_count();    // live rows in the scope
    std::int64_t unseen_count();  // live rows in the scope not seen
    // The keys of the live rows in the scope not seen: the rows a caller confirms gone at the
    // source before it tombstones them one by one (Replica::tombstone).
    std::vector<std::vector<Value>> unseen_keys();
    // Marks the unseen live rows deleted; returns how many. Rows are never removed.
    std::int64_t tombstone(RunId run, std::string_view at = {});

    struct State;

  private:
    friend class Replica;
    explicit Sweep(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

class Replica {
  public:
    // ReadWrite creates the directory, the database and the schema, and migrates an older one.
    // ReadOnly requires an existing replica. Damage (not a database, failed quick_check) throws
    // ReplicaDamaged naming the path.
    static Replica open(const std::filesystem::path& db, std::span<const TableSpec> specs,
                        Mode mode);

    Replica(Replica&&) noexcept;
    Replica& operator=(Replica&&) noexcept;
    ~Replica();

    const std::filesystem::path& path() const;
    // The specs the replica was opened with.
    std::span<const TableSpec> specs() const;

    // At most one open transaction. Writes outside one get a transaction of their own.
    Transaction begin();
    WriteBatch batch(std::chrono::milliseconds window);

    ChangeKind upsert(const TableSpec& spec, const Record& record, RunId run,
                      std::string_view at = {});
    std::optional<StoredRow> find(const TableSpec& spec, std::span<const Value> key);
    // Sets one typed column without touching data or the change log (e.g. files.sha256 once the
    // body is downloaded). Returns false if there is no such row.
    bool set_column(const TableSpec& spec, std::span<const Value> key, std::string_view column,
                    const Value& value);

    // scope_column empty: the whole table.
    Sweep begin_sweep(const TableSpec& spec, std::string_view scope_column = {},
                      Value scope_value = {});
    // Returns false if the row is missing or already tombstoned.
    bool tombstone(const TableSpec& spec, std::span<const Value> key, RunId run,
                   std::string_view at = {});
    // Tombstones the live rows of `child` whose parent_column equals parent; returns how many.
    std::int64_t tombstone_children(const TableSpec& child, std::string_view parent_column,
                                    const Value& parent, RunId run, std::string_view at = {});

    // A run left 'running' by a killed process is marked 'interrupted' here.
    RunId start_run(std::string_view account, RunKind kind, std::string_view at = {});
    void finish_run(RunId run, const RunSummary& summary, std::string_view at = {});
    std::optional<RunInfo> last_run();
    std::vector<RunInfo> runs(std::size_t limit);  // newest first

    std::optional<std::string> get_state(std::string_view key);
    void set_state(std::string_view key, std::string_view value);

    // Marks say what a run has finished (a ticket's children stored); set_mark is a write unit of
    // its own, or part of the caller's open one.
    std::optional<std::string> get_mark(std::string_view resource, std::string_view key);
    void set_mark(std::string_view resource, std::string_view key, std::string_view marker);
    void drop_mark(std::string_view resource, std::string_view key);
    std::unordered_map<std::string, std::string> marks(std::string_view resource);

    // How many write-batch windows were rolled back whole since the replica was opened (a failed
    // COMMIT). Units stored before such a rollback are gone even though their commit returned: a
    // caller compares the figure from before its first write with the one before it marks its
    // work done.
    std::uint64_t lost_windows() const;
    // Test hook: the batch COMMITs `faults` chooses fail as on a full disk. Null: none fail.
    void inject_commit_faults(FailCount* faults);
    // Runs before each COMMIT (of a batch, not at each of its units' ends): what the rows name
    // outside the database, an attachment's body, is made durable first. What it throws fails
    // the commit and rolls it back, as a full disk would. Empty: nothing runs.
    void before_commit(std::function<void()> hook);

    // Restore id map: which key an object of `resource` got in account `target`.
    std::optional<std::string> mapped_key(std::string_view target, std::string_view resource,
                                          std::string_view old_key);
    void map_key(std::string_view target, std::string_view resource, std::string_view old_key,
                 std::string_view new_key);

    // A SELECT yielding (key columns..., data) of the objects live at `time`
    // ('YYYY-MM-DD HH:MM:SS'; anything else throws StoreError).
    std::string as_of_sql(const TableSpec& spec, std::string_view time) const;

    // One read-only statement, its ?1, ?2, ... bound from params; SQLite's errors become
    // StoreError.
    QueryResult query(std::string_view sql, std::span<const Value> params = {});
    // The same for a query run many times with other parameters: prepared once, kept while the
    // replica is open.
    QueryResult repeated_query(const std::string& sql, std::span<const Value> params);

    // PRAGMA integrity_check + foreign_key_check; each problem as one sentence. Empty: healthy.
    std::vector<std::string> integrity_check();
    bool ok() { return integrity_check().empty(); }

    // Rows written by this connection so far (sqlite3_total_changes); lets tests prove that an
    // unchanged upsert writes nothing.
    std::int64_t total_changes() const;

  private:
    explicit Replica(std::unique_ptr<detail::ReplicaCore> core);
    std::unique_ptr<detail::ReplicaCore> core_;
};

// Current UTC time as 'YYYY-MM-DD HH:MM:SS'.
std::string utc_now();

}  // namespace smartq::store
