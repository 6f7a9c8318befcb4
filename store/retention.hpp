// Retention of a replica's past, after restic's forget and prune. The
// replica's present (every row of the resource tables, tombstoned or not) is
// never touched: only the past it keeps beside it. `forget` drops the runs a
// policy no longer keeps, the superseded versions in `history` that no kept
// run and no time inside --keep-within needs, and the change rows no `diff`
// between kept runs can read; `prune` removes the attachment bodies no file
// row references. forget runs in one transaction that a dry run rolls back,
// so a dry run counts exactly what a real one removes; prune only reads the
// replica, and a dry run lists the bodies instead of removing them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "store/run_log.hpp"

namespace smartq::store {

// Which runs to keep, as restic's --keep-* options: the newest N runs, the
// newest run of each of the newest N days, ISO weeks and months that have
// runs, and every run started within `within` of the newest run's start.
struct RetentionPolicy {
    std::size_t last = 0;
    std::size_t daily = 0;
    std::size_t weekly = 0;
    std::size_t monthly = 0;
    std::optional<std::chrono::seconds> within;

    bool empty() const { return !last && !daily && !weekly && !monthly && !within; }
};

// What the policy sees of a run.
struct RunPoint {
    RunId id = 0;
    std::string started_at;  // 'YYYY-MM-DD HH:MM:SS' UTC
    RunKind kind = RunKind::Full;
    RunStatus status = RunStatus::Ok;
};

// The runs `policy` keeps of `newest_first`. Besides what it asks for, these
// are always kept: the newest run, the newest successful run, the newest
// successful full or deep run (status --check and the scheduler read them)
// and any run still running.
std::set<RunId> runs_to_keep(std::span<const RunPoint> newest_first,
                             const RetentionPolicy& policy);

struct ForgetResult {
    std::size_t runs_total = 0;
    std::vector<RunId> forgotten;      // run ids, oldest first
    std::int64_t versions = 0;         // superseded versions dropped from history
    std::int64_t changes_dropped = 0;  // change rows older than every kept run
    std::int64_t changes_folded = 0;   // change rows of a forgotten run moved to the next kept one
};

// Applies `policy` to the replica at `db` (which must exist and be current:
// open it with Replica::open first). The caller holds the account's lock.
// With `dry_run` everything is computed and rolled back.
ForgetResult forget(const std::filesystem::path& db, const RetentionPolicy& policy,
                    bool dry_run);

// Gives back what a forget that dropped rows left behind, and returns the
// bytes now free inside the replica file. The replica has no auto_vacuum, so
// PRAGMA incremental_vacuum cannot shrink it, and a VACUUM rewrites the whole
// file, needs as much free disk again and holds the account's lock for
// minutes on a large replica, on every run. The freed pages stay on SQLite's
// free list instead, where the next runs' writes reuse them: the file stops
// growing rather than shrinks. The WAL, which holds a copy of every page the
// forget changed, is checkpointed and truncated (unless a reader holds it).
std::uint64_t reclaim_space(const std::filesystem::path& db);

struct PruneResult {
    std::int64_t blobs = 0;   // bodies no file row references
    std::uint64_t bytes = 0;  // their size
    std::int64_t kept = 0;    // bodies still referenced
};

// Removes (or with `dry_run` only counts) the bodies in `blobs` that no row of
// `files` references, tombstoned rows included. The caller holds the lock.
PruneResult prune(const std::filesystem::path& db, const std::filesystem::path& blobs,
                  bool dry_run);

}  // namespace smartq::store
