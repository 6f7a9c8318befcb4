#include "store/retention.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <functional>

#include "store/errors.hpp"
#include "store/sqlite.hpp"

namespace smartq::store {
namespace {
namespace fs = std::filesystem;
using std::chrono::sys_days;
using std::chrono::sys_seconds;

constexpr int kBusyTimeoutMs = 5000;

sys_seconds parse_utc(const std::string& text) {
    int year = 0;
    unsigned month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (std::sscanf(text.c_str(), "%d-%u-%u %u:%u:%u", &year, &month, &day, &hour, &minute,
                    &second) != 6)
        throw StoreError("the run log holds a start time that is not a time: '" + text + "'");
    auto date = std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day};
    return sys_days(date) + std::chrono::hours{hour} + std::chrono::minutes{minute} +
           std::chrono::seconds{second};
}

std::string day_of(const RunPoint& run) {
    return run.started_at.substr(0, 10);
}

std::string month_of(const RunPoint& run) {
    return run.started_at.substr(0, 7);
}

// The Monday that starts the run's ISO week names the week.
std::string week_of(const RunPoint& run) {
    auto day = std::chrono::floor<std::chrono::days>(parse_utc(run.started_at));
    auto monday = day - std::chrono::days{std::chrono::weekday{day}.iso_encoding() - 1};
    return fmt::format("{:%Y-%m-%d}", sys_seconds(monday));
}

// restic's bucket rule: the newest run of each of the newest `count` buckets.
void keep_newest_per_bucket(std::span<const RunPoint> newest_first, std::size_t count,
                            const std::function<std::string(const RunPoint&)>& bucket,
                            std::set<RunId>& kept) {
    std::string last;
    std::size_t taken = 0;
    for (const auto& run : newest_first) {
        if (taken == count)
            return;
        auto name = bucket(run);
        if (name != last) {
            kept.insert(run.id);
            last = std::move(name);
            ++taken;
        }
    }
}

void keep_first(std::span<const RunPoint> newest_first,
                const std::function<bool(const RunPoint&)>& wanted, std::set<RunId>& kept) {
    auto it = std::find_if(newest_first.begin(), newest_first.end(), wanted);
    if (it != newest_first.end())
        kept.insert(it->id);
}

// Rolls back unless committed: a dry run simply never commits.
class Transaction {
  public:
    explicit Transaction(sqlite::Connection& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }
    ~Transaction() {
        if (open_)
            sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        db_.exec("COMMIT");
        open_ = false;
    }

  private:
    sqlite::Connection& db_;
    bool open_ = true;
};

std::vector<std::pair<RunPoint, std::string>> read_runs(sqlite::Connection& db) {
    sqlite::Statement select(db,
                             "SELECT id, kind, started_at, status, coalesce(ended_at, started_at) "
                             "FROM runs ORDER BY id DESC");
    std::vector<std::pair<RunPoint, std::string>> runs;
    while (select.step()) {
        RunPoint run{select.integer(0), select.text(2), run_kind_from_string(select.text(1)),
                     run_status_from_string(select.text(3))};
        runs.emplace_back(std::move(run), select.text(4));
    }
    return runs;
}

std::int64_t run(sqlite::Connection& db, std::string_view sql, std::string_view parameter = {}) {
    sqlite::Statement statement(db, sql);
    if (statement.parameter_count() > 0)
        statement.bind(1, parameter);
    statement.run();
    return statement.changes();
}

}  // namespace

std::set<RunId> runs_to_keep(std::span<const RunPoint> newest_first,
                             const RetentionPolicy& policy) {
    std::set<RunId> kept;
    if (newest_first.empty())
        return kept;
    kept.insert(newest_first.front().id);
    keep_first(newest_first, [](const RunPoint& r) { return r.status == RunStatus::Ok; }, kept);
    keep_first(newest_first,
               [](const RunPoint& r) {
                   return r.status == RunStatus::Ok && r.kind != RunKind::Incremental;
               },
               kept);
    for (const auto& run : newest_first) {
        if (run.status == RunStatus::Running)
            kept.insert(run.id);
    }
    for (std::size_t i = 0; i < std::min(policy.last, newest_first.size()); ++i)
        kept.insert(newest_first[i].id);
    keep_newest_per_bucket(newest_first, policy.daily, day_of, kept);
    keep_newest_per_bucket(newest_first, policy.weekly, week_of, kept);
    keep_newest_per_bucket(newest_first, policy.monthly, month_of, kept);
    if (policy.within) {
        auto newest = parse_utc(newest_first.front().started_at);
        for (const auto& run : newest_first) {
            if (newest - parse_utc(run.started_at) <= *policy.within)
                kept.insert(run.id);
        }
    }
    return kept;
}

ForgetResult forget(const fs::path& path, const RetentionPolicy& policy, bool dry_run) {
    sqlite::Connection db(path, SQLITE_OPEN_READWRITE);
    sqlite3_busy_timeout(db.handle(), kBusyTimeoutMs);
    db.exec("PRAGMA foreign_keys = ON");
    Transaction tx(db);
    auto runs = read_runs(db);
    std::vector<RunPoint> points;
    for (const auto& [point, at] : runs)
        points.push_back(point);
    auto kept = runs_to_keep(points, policy);
    ForgetResult result;
    result.runs_total = runs.size();
    if (kept.empty())
        return result;

    // Each kept run with the time whose state it stands for: its end.
    db.exec("CREATE TEMP TABLE retention_kept(id INTEGER PRIMARY KEY, at TEXT NOT NULL)");
    sqlite::Statement keep(db, "INSERT INTO temp.retention_kept(id, at) VALUES(?1, ?2)");
    for (const auto& [point, at] : runs) {
        if (kept.contains(point.id))
            keep.bind(1, point.id).bind(2, at).run();
        else
            result.forgotten.insert(result.forgotten.begin(), point.id);
    }
    // Everything at or after the window's start stays answerable by query --at.
    std::string window_start = "9999-12-31 23:59:59";
    if (policy.within)
        window_start = fmt::format("{:%Y-%m-%d %H:%M:%S}",
                                   parse_utc(points.front().started_at) - *policy.within);
    // A version goes when no kept run's end falls inside it, it ended before the
    // window, and it is not the last content of a tombstoned object.
    result.versions = run(db,
                          "DELETE FROM history WHERE valid_to <= ?1 "
                          "AND NOT EXISTS (SELECT 1 FROM temp.retention_kept k "
                          "  WHERE history.valid_from <= k.at AND history.valid_to > k.at) "
                          "AND NOT (deleted = 1 AND valid_to = (SELECT max(h.valid_to) "
                          "  FROM history h WHERE h.resource = history.resource "
                          "  AND h.key = history.key))",
                          window_start);
    // diff A B nets the changes of runs (A, B]: a forgotten run's changes move to
    // the next kept run, so every diff between kept runs stays exact; what came
    // before the oldest kept run no diff can read.
    result.changes_dropped =
        run(db, "DELETE FROM changes WHERE run_id < (SELECT min(id) FROM temp.retention_kept)");
    result.changes_folded =
        run(db,
            "UPDATE changes SET run_id = (SELECT min(k.id) FROM temp.retention_kept k "
            "  WHERE k.id > changes.run_id) "
            "WHERE run_id NOT IN (SELECT id FROM temp.retention_kept)");
    run(db, "DELETE FROM run_findings WHERE run_id NOT IN (SELECT id FROM temp.retention_kept)");
    run(db, "DELETE FROM runs WHERE id NOT IN (SELECT id FROM temp.retention_kept)");
    if (!dry_run)
        tx.commit();
    return result;
}

std::uint64_t reclaim_space(const fs::path& path) {
    sqlite::Connection db(path, SQLITE_OPEN_READWRITE);
    sqlite3_busy_timeout(db.handle(), kBusyTimeoutMs);
    auto pragma = [&](std::string_view sql) {
        sqlite::Statement statement(db, sql);
        statement.step();
        return static_cast<std::uint64_t>(statement.integer(0));
    };
    pragma("PRAGMA wal_checkpoint(TRUNCATE)");
    return pragma("PRAGMA freelist_count") * pragma("PRAGMA page_size");
}

PruneResult prune(const fs::path& path, const fs::path& blobs, bool dry_run) {
    sqlite::Connection db(path, SQLITE_OPEN_READONLY);
    sqlite3_busy_timeout(db.handle(), kBusyTimeoutMs);
    std::set<std::string> referenced;
    sqlite::Statement select(db, "SELECT DISTINCT sha256 FROM files WHERE sha256 IS NOT NULL");
    while (select.step())
        referenced.insert(select.text(0));
    PruneResult result;
    if (!fs::exists(blobs))
        return result;
    // Only <aa>/<sha256> is a body; tmp/ and anything unknown are left alone.
    for (const auto& directory : fs::directory_iterator(blobs)) {
        auto prefix = directory.path().filename().string();
        if (!directory.is_directory() || prefix.size() != 2)
            continue;
        for (const auto& body : fs::directory_iterator(directory.path())) {
            auto name = body.path().filename().string();
            if (!body.is_regular_file() || name.size() != 64 || !name.starts_with(prefix))
                continue;
            if (referenced.contains(name)) {
                ++result.kept;
                continue;
            }
            ++result.blobs;
            result.bytes += body.file_size();
            if (!dry_run)
                fs::remove(body.path());
        }
    }
    return result;
}

}  // namespace smartq::store
