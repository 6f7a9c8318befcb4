#include "daemon/run_report.hpp"

#include <fmt/format.h>

#include "store/replica.hpp"
#include "sync/account_sync.hpp"
#include "sync/table_specs.hpp"
#include "sync/wire/json_writer.hpp"
#include "sync/wire/time.hpp"

namespace smartq::daemon {

RunHistory read_history(const config::AccountConfig& account) {
    RunHistory history;
    auto path = sync::replica_path(account);
    if (!std::filesystem::exists(path))
        return history;
    auto replica = store::Replica::open(path, sync::table_specs(), store::Mode::ReadOnly);
    for (auto& run : replica.runs(50)) {
        if (!history.latest)
            history.latest = run;
        if (!history.last_finished && run.status != store::RunStatus::Running)
            history.last_finished = run;
        if (run.status == store::RunStatus::Ok) {
            history.last_success = std::move(run);
            break;
        }
    }
    return history;
}

void write_run(wire::JsonWriter& json, const store::RunInfo& run) {
    json.begin_object().key("id").value(run.id).key("kind").value(store::to_string(run.kind));
    json.key("started_at").value(run.started_at).key("ended_at");
    run.ended_at ? json.value(*run.ended_at) : json.null();
    json.key("duration_seconds");
    auto duration = run_duration(run);
    duration ? json.value(static_cast<std::int64_t>(duration->count())) : json.null();
    json.key("status").value(store::to_string(run.status)).key("requests").value(run.requests);
    json.key("bytes").value(run.bytes).key("records").begin_object();
    for (const auto& [name, c] : run.records) {
        json.key(name)
            .begin_object()
            .key("inserted")
            .value(c.inserted)
            .key("updated")
            .value(c.updated);
        json.key("unchanged").value(c.unchanged).key("deleted").value(c.deleted).end_object();
    }
    json.end_object().key("error");
    run.error.empty() ? json.null() : json.value(run.error);
    for (const auto& [name, texts] :
         {std::pair{"problems", &run.problems}, {"notices", &run.notices}}) {
        json.key(name).begin_array();
        for (const auto& text : *texts)
            json.value(text);
        json.end_array();
    }
    json.end_object();
}

std::int64_t total_records(const store::RunInfo& run) {
    std::int64_t total = 0;
    for (const auto& [name, c] : run.records)
        total += c.inserted + c.updated + c.unchanged;
    return total;
}

std::string change_counts(const store::RunInfo& run) {
    store::RecordCounts sum;
    for (const auto& [name, c] : run.records) {
        sum.inserted += c.inserted;
        sum.updated += c.updated;
        sum.deleted += c.deleted;
    }
    return fmt::format("+{} ~{} -{}", sum.inserted, sum.updated, sum.deleted);
}

std::optional<std::chrono::seconds> run_duration(const store::RunInfo& run) {
    if (!run.ended_at)
        return std::nullopt;
    auto start = wire::parse_time(run.started_at);
    auto end = wire::parse_time(*run.ended_at);
    if (!start || !end)
        return std::nullopt;
    return *end - *start;
}

std::string human_duration(std::chrono::seconds duration) {
    auto s = duration.count();
    if (s >= 3600)
        return fmt::format("{}h {:02}m", s / 3600, s % 3600 / 60);
    if (s >= 60)
        return fmt::format("{}m {:02}s", s / 60, s % 60);
    return fmt::format("{}s", s);
}

std::string first_problem(const store::RunInfo& run) {
    if (run.problems.empty())
        return run.error;
    if (run.problems.size() == 1)
        return run.problems.front();
    return fmt::format("{} (and {} more)", run.problems.front(), run.problems.size() - 1);
}

std::string with_zone(std::string_view utc_text) {
    return std::string(utc_text) + " UTC";
}

std::string count_of(std::int64_t n, std::string_view singular, std::string_view plural) {
    return fmt::format("{} {}", n, n == 1 ? singular : plural);
}

}  // namespace smartq::daemon
