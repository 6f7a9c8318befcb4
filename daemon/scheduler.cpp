#include "daemon/scheduler.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <random>

#include "daemon/run_report.hpp"
#include "daemon/scheduled_retention.hpp"
#include "daemon/scheduler_state.hpp"
#include "daemon/store_size.hpp"
#include "store/replica.hpp"
#include "sync/account_sync.hpp"
#include "sync/failure.hpp"
#include "sync/table_specs.hpp"

namespace smartq::daemon {
namespace asio = boost::asio;
using std::chrono::system_clock;
using namespace std::chrono_literals;

std::chrono::milliseconds jitter_cap(std::chrono::seconds interval) {
    return std::min<std::chrono::milliseconds>(std::chrono::milliseconds(interval) / 10, 30s);
}

std::chrono::seconds backoff_delay(std::chrono::seconds interval, int failures) {
    auto delay = std::min<std::chrono::seconds>(30s, interval);
    for (int i = 1; i < failures && delay < interval; ++i)
        delay *= 2;
    return std::min(delay, interval);
}

bool deep_due(std::optional<system_clock::time_point> last_deep, system_clock::time_point now,
              std::chrono::seconds deep_every) {
    return !last_deep || now - *last_deep >= deep_every;
}

std::optional<system_clock::time_point> last_deep_run(const config::AccountConfig& account) {
    auto path = sync::replica_path(account);
    if (!std::filesystem::exists(path))
        return std::nullopt;
    auto replica = store::Replica::open(path, sync::table_specs(), store::Mode::ReadOnly);
    // Enough rows for a day of runs every few minutes; an older deep run is overdue anyway.
    for (const auto& run : replica.runs(1000)) {
        if (run.status == store::RunStatus::Ok && run.kind != store::RunKind::Incremental) {
            return parse_utc_text(run.started_at);
        }
    }
    return std::nullopt;
}

namespace {

std::chrono::milliseconds random_jitter(std::chrono::seconds interval) {
    static std::mt19937_64 random{std::random_device{}()};
    auto cap = jitter_cap(interval).count();
    return std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(0, cap)(random));
}

// The row the run just wrote; a damaged or missing replica only costs the metrics.
std::optional<store::RunInfo> newest_run(const config::AccountConfig& account) {
    try {
        auto replica = store::Replica::open(sync::replica_path(account), sync::table_specs(),
                                            store::Mode::ReadOnly);
        auto runs = replica.runs(1);
        if (!runs.empty())
            return runs.front();
    } catch (const std::exception& e) {
        spdlog::warn("{}: cannot read the run log: {}", account.name, e.what());
    }
    return std::nullopt;
}

std::int64_t stored_records(const std::optional<store::RunInfo>& run) {
    std::int64_t total = 0;
    if (!run)
        return total;
    for (const auto& [name, c] : run->records)
        total += c.inserted + c.updated + c.deleted;
    return total;
}

}  // namespace

struct Scheduler::Job {
    Job(asio::any_io_executor executor, config::AccountConfig account)
        : account(std::move(account)), timer(executor) {}

    config::AccountConfig account;  // replaced by a reload; a run uses its own copy
    asio::steady_timer timer;
    sync::SyncRun* run = nullptr;  // while a run goes on
    bool retired = false;              // left the configuration
    int failures = 0;                  // in a row
    std::optional<system_clock::time_point> last_deep;
    std::chrono::milliseconds delay{0};  // until the next run
    system_clock::time_point next_run;
};

Scheduler::Scheduler(asio::any_io_executor executor, Metrics& metrics,
                     std::function<void()> changed)
    : executor_(std::move(executor)), metrics_(metrics), changed_(std::move(changed)) {}

Scheduler::~Scheduler() = default;

void Scheduler::apply(const std::vector<config::AccountConfig>& accounts,
                      std::shared_ptr<http::Pacer> daemon) {
    if (stopping_)
        return;
    daemon_ = std::move(daemon);
    for (auto& [name, job] : jobs_) {
        bool kept = std::any_of(accounts.begin(), accounts.end(),
                                [&](const config::AccountConfig& a) { return a.name == name; });
        if (kept || job->retired)
            continue;
        spdlog::info("{}: no longer configured; not syncing it any more", name);
        job->retired = true;
        job->timer.cancel();
    }
    for (const auto& account : accounts) {
        auto it = jobs_.find(account.name);
        if (it != jobs_.end()) {
            it->second->account = account;
            it->second->retired = false;
            continue;
        }
        auto job = std::make_shared<Job>(executor_, account);
        jobs_.emplace(account.name, job);
        asio::co_spawn(executor_, keep_current(job), asio::detached);
    }
}

void Scheduler::stop(std::function<void()> done) {
    stopping_ = true;
    stopped_ = std::move(done);
    for (auto& [name, job] : jobs_) {
        job->timer.cancel();
        if (job->run)
            job->run->request_stop();
    }
    if (jobs_.empty() && stopped_)
        stopped_();
}

asio::awaitable<void> Scheduler::keep_current(std::shared_ptr<Job> job) {
    try {
        job->last_deep = last_deep_run(job->account);
        auto history = read_history(job->account);
        metrics_.remember(job->account.name, history.last_finished, history.last_success);
        metrics_.set_store_size(job->account.name, measure_store(job->account));
    } catch (const std::exception& e) {
        spdlog::warn("{}: cannot read the run log: {}", job->account.name, e.what());
    }
    job->delay = random_jitter(job->account.interval);
    job->next_run = system_clock::now() + job->delay;
    changed_();
    while (!stopping_ && !job->retired) {
        job->timer.expires_after(job->delay);
        boost::system::error_code ec;
        co_await job->timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (stopping_ || job->retired)
            break;
        co_await run_once(*job);
    }
    job_ended(job->account.name);
}

asio::awaitable<void> Scheduler::run_once(Job& job) {
    const auto account = job.account;
    const auto& name = account.name;
    auto started = system_clock::now();
    sync::SyncOptions options;
    options.deep = deep_due(job.last_deep, started, account.deep_every);
    bool began = false;
    sync::AccountSyncHooks hooks;
    hooks.started = [&](sync::SyncRun& run) {
        job.run = &run;
        began = true;
        if (stopping_)
            run.request_stop();
        metrics_.set_running(name, true);
        changed_();
    };
    hooks.finished = [&](const sync::SyncRun&) { job.run = nullptr; };
    hooks.transport = [&](const http::Stats& stats) { metrics_.record_transport(name, stats); };
    std::exception_ptr error;
    store::RunKind kind{};
    try {
        kind = co_await sync::sync_account(account, options, daemon_, hooks);
    } catch (...) {
        error = std::current_exception();
    }
    auto ended = system_clock::now();
    std::chrono::duration<double> took = ended - started;
    metrics_.set_running(name, false);
    auto row = began ? newest_run(account) : std::nullopt;
    std::chrono::milliseconds delay = account.interval;
    auto failure = error ? std::optional(sync::classify(error)) : std::nullopt;
    auto retry = failure ? sync::retry(failure->cause) : sync::Retry::No;
    if (!failure) {
        job.failures = 0;
        if (kind != store::RunKind::Incremental)
            job.last_deep = started;
        spdlog::info("{}: {} sync done in {:.1f} s: {} records stored, {} requests", name,
                     store::to_string(kind), took.count(), stored_records(row),
                     row ? row->requests : 0);
        if (!stopping_)
            apply_retention(account);
        delay = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::max<std::chrono::duration<double>>(account.interval - took, 0s));
    } else if (retry == sync::Retry::NextRound) {
        spdlog::warn("{}: skipping this round: {}", name, failure->sentence);
    } else if (retry == sync::Retry::No) {
        spdlog::info("{}: sync stopped after {:.1f} s; what was fetched is committed", name,
                     took.count());
    } else {
        ++job.failures;
        delay = backoff_delay(account.interval, job.failures);
        spdlog::error("{}: sync failed: {}; retrying in {} s (failure {} in a row)", name,
                      failure->sentence,
                      std::chrono::duration_cast<std::chrono::seconds>(delay).count(),
                      job.failures);
    }
    // A skipped round ran nothing: there is no run to count.
    if (retry != sync::Retry::NextRound) {
        auto status = row ? row->status
                          : failure ? sync::run_status(failure->cause) : store::RunStatus::Ok;
        metrics_.record_run(name, row, status, took, ended);
        metrics_.set_store_size(name, measure_store(account));
    }
    job.delay = delay + random_jitter(account.interval);
    job.next_run = system_clock::now() + job.delay;
    if (!stopping_) {
        try {
            write_scheduled_run(account.data_dir, job.next_run);
        } catch (const std::exception& e) {
            spdlog::warn("{}: cannot record the next run: {}", name, e.what());
        }
    }
    changed_();
}

void Scheduler::job_ended(const std::string& name) {
    auto it = jobs_.find(name);
    if (it == jobs_.end())
        return;
    remove_scheduled_run(it->second->account.data_dir);
    metrics_.forget(name);
    jobs_.erase(it);
    if (stopping_ && jobs_.empty() && stopped_)
        stopped_();
}

std::string Scheduler::describe() const {
    std::vector<std::string> running;
    const Job* next = nullptr;
    for (const auto& [name, job] : jobs_) {
        if (job->run) {
            running.push_back(
                fmt::format("{} ({} records)", name, job->run->progress().total_records()));
        } else if (!job->retired && (!next || job->next_run < next->next_run)) {
            next = job.get();
        }
    }
    if (stopping_)
        return "stopping";
    // An account whose first run is not planned yet has no time to show.
    if (next && next->next_run == system_clock::time_point{})
        return "starting";
    std::string text =
        running.empty() ? "idle" : "syncing " + fmt::format("{}", fmt::join(running, ", "));
    if (next)
        text += fmt::format("; next: {} at {} UTC", next->account.name, utc_text(next->next_run));
    return text;
}

}  // namespace smartq::daemon
