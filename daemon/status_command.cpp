#include <fmt/format.h>

#include <iostream>

#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/progress.hpp"
#include "daemon/scheduler_state.hpp"
#include "store/replica.hpp"
#include "sync/account_sync.hpp"
#include "sync/resources.hpp"
#include "sync/wire/json_writer.hpp"

namespace smartq::daemon {
namespace {

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
    const config::AccountConfig* account;
    std::optional<store::RunInfo> last;
    std::optional<store::RunInfo> last_ok;
    std::uint64_t size = 0;
    std::optional<ScheduledRun> next;  // planned by a running daemon
};

AccountStatus read_status(const config::AccountConfig& account) {
    AccountStatus status{
        &account, {}, {}, directory_size(account.data_dir), read_scheduled_run(account.data_dir)};
    auto path = sync::replica_path(account);
    if (!std::filesystem::exists(path))
        return status;
    auto replica = store::Replica::open(path, sync::table_specs(), store::Mode::ReadOnly);
    for (auto& run : replica.runs(50)) {
        if (!status.last)
            status.last = run;
        if (run.status == store::RunStatus::Ok) {
            status.last_ok = run;
            break;
        }
    }
    return status;
}

std::int64_t total_records(const store::RunInfo& run) {
    std::int64_t total = 0;
    for (const auto& [name, c] : run.records)
        total += c.inserted + c.updated + c.unchanged;
    return total;
}

void write_run(wire::JsonWriter& json, const store::RunInfo& run) {
    json.begin_object().key("id").value(run.id).key("kind").value(store::to_string(run.kind));
    json.key("started_at").value(run.started_at).key("ended_at");
    run.ended_at ? json.value(*run.ended_at) : json.null();
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
    json.end_object();
}

void print_json(const std::vector<AccountStatus>& statuses) {
    std::string text;
    wire::JsonWriter json(text);
    json.begin_array();
    for (const auto& s : statuses) {
        json.begin_object().key("account").value(s.account->name).key("url").value(s.account->url);
        json.key("data_dir").value(s.account->data_dir.string());
        json.key("size_bytes").value(static_cast<std::int64_t>(s.size)).key("last_run");
        s.last ? write_run(json, *s.last) : void(json.null());
        json.key("last_success");
        s.last_ok ? write_run(json, *s.last_ok) : void(json.null());
        json.key("next_run");
        s.next ? void(json.value(s.next->next_run)) : void(json.null());
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
                  << (s.next ? fmt::format("{} UTC (daemon pid {})", s.next->next_run, s.next->pid)
                             : std::string("not scheduled (no daemon running)"))
                  << "\n";
        if (!s.last) {
            std::cout << "  last run:     never\n";
            continue;
        }
        const auto& r = *s.last;
        std::cout << fmt::format(
            "  last run:     {} {} sync, started {}{}, {} records, {} requests\n",
            store::to_string(r.status), store::to_string(r.kind), r.started_at,
            r.ended_at ? ", ended " + *r.ended_at : std::string{}, total_records(r), r.requests);
        if (!r.error.empty())
            std::cout << "  last error:   " << r.error << "\n";
        std::cout << "  last success: " << (s.last_ok ? s.last_ok->ended_at.value_or("?") : "never")
                  << "\n";
    }
}

}  // namespace

int run_status(const config::Config& config, const StatusArgs& args) {
    std::vector<AccountStatus> statuses;
    std::vector<std::string> names;
    if (!args.account.empty())
        names.push_back(args.account);
    for (const auto* account : select_accounts(config, names))
        statuses.push_back(read_status(*account));
    args.json ? print_json(statuses) : print_text(statuses);
    return kOk;
}

}  // namespace smartq::daemon
