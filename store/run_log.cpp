#include "store/run_log.hpp"

#include <sqlite3.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <utility>

#include "store/replica.hpp"
#include "store/replica_core.hpp"

namespace smartq::store {

namespace {

constexpr std::array<std::pair<RunKind, std::string_view>, 3> kKinds = {{
    {RunKind::Full, "full"},
    {RunKind::Incremental, "incremental"},
    {RunKind::Deep, "deep"},
}};

constexpr std::array<std::pair<RunStatus, std::string_view>, 5> kStatuses = {{
    {RunStatus::Running, "running"},
    {RunStatus::Ok, "ok"},
    {RunStatus::Partial, "partial"},
    {RunStatus::Failed, "failed"},
    {RunStatus::Interrupted, "interrupted"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const std::array<std::pair<Enum, std::string_view>, N>& names,
                         Enum value) {
    for (const auto& [candidate, name] : names) {
        if (candidate == value) {
            return name;
        }
    }
    return "unknown";
}

template <typename Enum, std::size_t N>
Enum value_of(const std::array<std::pair<Enum, std::string_view>, N>& names, std::string_view text,
              std::string_view what) {
    for (const auto& [value, name] : names) {
        if (name == text) {
            return value;
        }
    }
    throw StoreError(fmt::format("'{}' is not a known run {}", text, what));
}

constexpr std::string_view kRunColumns =
    "id, account, kind, started_at, ended_at, status, requests, bytes, error";

RunInfo read_run(sqlite::Statement& select) {
    RunInfo run;
    run.id = select.integer(0);
    run.account = select.text(1);
    run.kind = run_kind_from_string(select.text(2));
    run.started_at = select.text(3);
    if (!select.is_null(4)) {
        run.ended_at = select.text(4);
    }
    run.status = run_status_from_string(select.text(5));
    run.requests = select.integer(6);
    run.bytes = select.integer(7);
    run.error = select.text(8);
    return run;
}

void read_records(detail::ReplicaCore& core, RunInfo& run) {
    auto& select = core.cached(
        "SELECT j.key, json_extract(j.value, '$.inserted'), json_extract(j.value, '$.updated'), "
        "json_extract(j.value, '$.unchanged'), json_extract(j.value, '$.deleted') "
        "FROM runs, json_each(runs.records) j WHERE runs.id = ?1");
    select.bind(1, run.id);
    while (select.step()) {
        run.records[select.text(0)] = {select.integer(1), select.integer(2), select.integer(3),
                                       select.integer(4)};
    }
    select.reset();
}

void read_findings(detail::ReplicaCore& core, RunInfo& run) {
    auto& select =
        core.cached("SELECT kind, text FROM run_findings WHERE run_id = ?1 ORDER BY seq");
    select.bind(1, run.id);
    while (select.step()) {
        (select.text(0) == "notice" ? run.notices : run.problems).push_back(select.text(1));
    }
    select.reset();
}

}  // namespace

std::string_view to_string(RunKind kind) {
    return name_of(kKinds, kind);
}
std::string_view to_string(RunStatus status) {
    return name_of(kStatuses, status);
}
RunKind run_kind_from_string(std::string_view text) {
    return value_of(kKinds, text, "kind");
}
RunStatus run_status_from_string(std::string_view text) {
    return value_of(kStatuses, text, "status");
}

RunId Replica::start_run(std::string_view account, RunKind kind, std::string_view at) {
    auto time = detail::time_or_now(at);
    detail::WriteScope scope(*core_);
    // Only one process writes a replica, so a run still 'running' belongs to one that died.
    auto& interrupt = core_->cached(
        "UPDATE runs SET status = 'interrupted', error = 'the process ended before the run "
        "finished' WHERE status = 'running'");
    interrupt.run();
    if (auto interrupted = interrupt.changes(); interrupted > 0) {
        spdlog::warn("marked {} unfinished run(s) of {} interrupted", interrupted, account);
    }
    auto& insert = core_->cached(
        "INSERT INTO runs(account, kind, started_at, status) VALUES(?1, ?2, ?3, 'running')");
    insert.bind(1, account).bind(2, to_string(kind)).bind(3, time).run();
    RunId id = sqlite3_last_insert_rowid(core_->db.handle());
    scope.commit();
    return id;
}

void Replica::finish_run(RunId run, const RunSummary& summary, std::string_view at) {
    if (summary.status == RunStatus::Running) {
        throw StoreError("a run cannot finish with the status 'running'");
    }
    auto time = detail::time_or_now(at);
    detail::WriteScope scope(*core_);
    auto& update = core_->cached(
        "UPDATE runs SET ended_at = ?2, status = ?3, requests = ?4, bytes = ?5, records = '{}', "
        "error = nullif(?6, '') WHERE id = ?1");
    update.bind(1, run)
        .bind(2, time)
        .bind(3, to_string(summary.status))
        .bind(4, summary.requests)
        .bind(5, summary.bytes)
        .bind(6, summary.error)
        .run();
    if (update.changes() == 0) {
        throw StoreError(fmt::format("there is no run {} to finish", run));
    }
    // json_set's path argument is the quoted resource name, so any name is safe.
    auto& record = core_->cached(
        "UPDATE runs SET records = json_set(records, '$.' || json_quote(?2), json_object("
        "'inserted', ?3, 'updated', ?4, 'unchanged', ?5, 'deleted', ?6)) WHERE id = ?1");
    for (const auto& [resource, counts] : summary.records) {
        record.bind(1, run)
            .bind(2, resource)
            .bind(3, counts.inserted)
            .bind(4, counts.updated)
            .bind(5, counts.unchanged)
            .bind(6, counts.deleted)
            .run();
    }
    auto& finding =
        core_->cached("INSERT INTO run_findings(run_id, seq, kind, text) VALUES(?1, ?2, ?3, ?4)");
    std::int64_t seq = 0;
    for (const auto& [kind, texts] : {std::pair<std::string_view, const std::vector<std::string>*>{
                                          "problem", &summary.problems},
                                      {"notice", &summary.notices}}) {
        for (const auto& text : *texts) {
            finding.bind(1, run).bind(2, ++seq).bind(3, kind).bind(4, text).run();
        }
    }
    scope.commit();
}

std::optional<RunInfo> Replica::last_run() {
    auto newest = runs(1);
    return newest.empty() ? std::nullopt : std::optional<RunInfo>(std::move(newest.front()));
}

std::vector<RunInfo> Replica::runs(std::size_t limit) {
    auto& select =
        core_->cached(fmt::format("SELECT {} FROM runs ORDER BY id DESC LIMIT ?1", kRunColumns));
    select.bind(1, static_cast<std::int64_t>(limit));
    std::vector<RunInfo> all;
    while (select.step()) {
        all.push_back(read_run(select));
    }
    select.reset();
    for (auto& run : all) {
        read_records(*core_, run);
        read_findings(*core_, run);
    }
    return all;
}

}  // namespace smartq::store
