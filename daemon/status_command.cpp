#include <fmt/format.h>

#include <iostream>
#include <stdexcept>

#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/progress.hpp"
#include "daemon/run_report.hpp"
#include "daemon/scheduler_state.hpp"
#include "store/replica.hpp"
#include "sync/account_sync.hpp"
#include "sync/table_specs.hpp"
#include "sync/wire/json_writer.hpp"
#include "sync/wire/time.hpp"

namespace smartq::daemon {
namespace {

// status --check's answer for an unhealthy account, as monitoring plugins expect.
constexpr int kUnhealthy = 1;

std::uint64_t directory_size(const std::filesystem::path& dir) {
    std::uint64_t total = 0;
    std::error_code ec;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec))
            total += it->file_size(ec);
    }
    return total;
}

struct AccountStatus {
    const config::AccountConfig* account = nullptr;
    RunHistory runs;
    std::uint64_t size = 0;
    std::optional<ScheduledRun> next;    // planned by a running daemon
    std::optional<std::string> problem;  // with --check: why the account is unhealthy
};

AccountStatus read_status(const config::AccountConfig& account) {
    AccountStatus status;
    status.account = &account;
    status.runs = read_history(account);
    status.size = directory_size(account.data_dir);
    status.next = read_scheduled_run(account.data_dir);
    return status;
}

void print_json(const std::vector<AccountStatus>& statuses, bool check) {
    std::string text;
    wire::JsonWriter json(text);
    json.begin_array();
    for (const auto& s : statuses) {
        json.begin_object().key("account").value(s.account->name).key("url").value(s.account->url);
        json.key("data_dir").value(s.account->data_dir.string());
        json.key("size_bytes").value(static_cast<std::int64_t>(s.size)).key("last_run");
        s.runs.latest ? write_run(json, *s.runs.latest) : void(json.null());
        json.key("last_success");
        s.runs.last_success ? write_run(json, *s.runs.last_success) : void(json.null());
        json.key("next_run");
        s.next ? void(json.value(s.next->next_run)) : void(json.null());
        if (check) {
            json.key("healthy").value(!s.problem).key("problem");
            s.problem ? void(json.value(*s.problem)) : void(json.null());
        }
        json.end_object();
    }
    json.end_array();
    std::cout << text << '\n';
}

void print_text(const std::vector<AccountStatus>& statuses) {
    for (const auto& s : statuses) {
        std::cout << s.account->name << " (" << s.account->url << ")\n";
        std::cout << "  replica:      " << s.account->data_dir.string() << ", "
                  << human_bytes(s.size) << "\n";
        std::cout << "  next run:     "
                  << (s.next ? fmt::format("{} (daemon pid {})", with_zone(s.next->next_run),
                                           s.next->pid)
                             : std::string("not scheduled (no daemon running)"))
                  << "\n";
        if (!s.runs.latest) {
            std::cout << "  last run:     never\n";
            continue;
        }
        const auto& r = *s.runs.latest;
        std::cout << fmt::format("  last run:     {} {} sync, started {}{}, {}, {}\n",
                                 store::to_string(r.status), store::to_string(r.kind),
                                 with_zone(r.started_at),
                                 r.ended_at ? ", ended " + with_zone(*r.ended_at) : std::string{},
                                 count_of(total_records(r), "record", "records"),
                                 count_of(r.requests, "request", "requests"));
        // Every problem of the run, else its one error; then what it noticed.
        auto problems = r.problems;
        if (problems.empty() && !r.error.empty())
            problems.push_back(r.error);
        for (const auto& problem : problems)
            std::cout << "  problem:      " << problem << "\n";
        for (const auto& notice : r.notices)
            std::cout << "  notice:       " << notice << "\n";
        const auto& ok = s.runs.last_success;
        std::cout << "  last success: " << (ok && ok->ended_at ? with_zone(*ok->ended_at) : "never")
                  << "\n";
    }
}

// Nagios-style: one line per unhealthy account, or one line saying all is well.
void print_check(const std::vector<AccountStatus>& statuses) {
    std::size_t unhealthy = 0;
    for (const auto& s : statuses) {
        if (s.problem) {
            ++unhealthy;
            std::cout << s.account->name << ": " << *s.problem << "\n";
        }
    }
    if (unhealthy == 0) {
        std::cout << "ok: "
                  << count_of(static_cast<std::int64_t>(statuses.size()), "account", "accounts")
                  << " synced recently\n";
    }
}

// Why `s` is unhealthy: its last run did not succeed, or its last success is
// older than `max_age`; nullopt when it is healthy.
std::optional<std::string> health_problem(const AccountStatus& s, std::chrono::seconds max_age) {
    const auto& last = s.runs.last_finished;
    const auto& ok = s.runs.last_success;
    if (!last)
        return "never synced";
    if (last->status != store::RunStatus::Ok) {
        return fmt::format("last run {} at {}{}", store::to_string(last->status),
                           with_zone(last->ended_at.value_or(last->started_at)),
                           last->error.empty() ? "" : ": " + last->error);
    }
    if (!ok || !ok->ended_at)
        return "no successful run among the last 50";
    auto ended = wire::parse_time(*ok->ended_at);
    auto age = ended ? wire::now_seconds() - *ended : std::chrono::seconds::max();
    if (age > max_age) {
        return fmt::format("last success at {} is {} old, more than {}", with_zone(*ok->ended_at),
                           human_duration(age), human_duration(max_age));
    }
    return std::nullopt;
}

std::optional<std::chrono::seconds> parse_max_age(const std::string& text) {
    if (text.empty())
        return std::nullopt;
    try {
        return config::parse_duration(text);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--max-age: ") + e.what());
    }
}

}  // namespace

int run_status(const config::Config& config, const StatusArgs& args) {
    auto max_age = parse_max_age(args.max_age);
    if (max_age && !args.check)
        throw UsageError("--max-age only makes sense with --check");
    std::vector<AccountStatus> statuses;
    int code = kOk;
    for (const auto* account : select_accounts(config, args.accounts)) {
        auto& s = statuses.emplace_back(read_status(*account));
        if (args.check) {
            s.problem = health_problem(s, max_age.value_or(2 * account->interval));
            if (s.problem)
                code = kUnhealthy;
        }
    }
    if (args.json) {
        print_json(statuses, args.check);
    } else if (args.check) {
        print_check(statuses);
    } else {
        print_text(statuses);
    }
    return code;
}

}  // namespace smartq::daemon
