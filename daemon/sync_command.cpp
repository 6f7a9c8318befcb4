#include <utility>

#include <spdlog/spdlog.h>
#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <map>

#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/logging.hpp"
#include "daemon/progress.hpp"
#include "daemon/run_report.hpp"
#include "store/replica.hpp"
#include "store/run_log.hpp"
#include "sync/account_sync.hpp"
#include "sync/table_specs.hpp"
#include "sync/wire/json_writer.hpp"

namespace smartq::daemon {
namespace asio = boost::asio;

std::vector<const config::AccountConfig*> select_accounts(const config::Config& config,
                                                          const std::vector<std::string>& names) {
    std::vector<const config::AccountConfig*> chosen;
    if (names.empty()) {
        for (const auto& account : config.accounts)
            chosen.push_back(&account);
    }
    for (const auto& name : names)
        chosen.push_back(&config.account(name));
    return chosen;
}

const config::AccountConfig& single_account(const config::Config& config, const std::string& name) {
    if (!name.empty())
        return config.account(name);
    if (config.accounts.size() == 1)
        return config.accounts.front();
    throw config::ConfigError(config.source.string() +
                              ": several accounts are configured; name one with --account");
}

namespace {

// What one account's sync came to, for --json.
struct AccountOutcome {
    const config::AccountConfig* account = nullptr;
    bool started = false;  // the crawler ran, so the replica's newest run is this one
    int code = kOk;
    std::string error;
};

void print_json(const std::vector<AccountOutcome>& outcomes) {
    std::string text;
    wire::JsonWriter json(text);
    json.begin_array();
    for (const auto& outcome : outcomes) {
        json.begin_object().key("account").value(outcome.account->name);
        json.key("exit_code").value(outcome.code).key("error");
        outcome.error.empty() ? json.null() : json.value(outcome.error);
        json.key("run");
        auto path = sync::replica_path(*outcome.account);
        std::vector<store::RunInfo> newest;
        if (outcome.started && std::filesystem::exists(path))
            newest = store::Replica::open(path, sync::table_specs(), store::Mode::ReadOnly).runs(1);
        newest.empty() ? void(json.null()) : write_run(json, newest.front());
        json.end_object();
    }
    json.end_array();
    std::cout << text << '\n';
}

}  // namespace

int run_sync(const config::Config& config, const SyncArgs& args) {
    auto accounts = select_accounts(config, args.accounts);
    asio::io_context io;
    sync::SyncOptions options;
    options.deep = args.deep;
    options.files = !args.no_files;
    options.confirm_deletions = args.confirm_deletions;
    bool live = ::isatty(STDERR_FILENO) == 1 && !args.json;
    int code = kOk;
    int stopped_by = 0;  // the signal that asked us to stop
    std::vector<AccountOutcome> outcomes(accounts.size());
    std::map<std::string, sync::SyncRun*> running;  // the runs going on now
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int signal) {
        if (ec)
            return;
        stopped_by = signal;
        spdlog::warn("stopping: committing what was fetched");
        for (auto& [name, run] : running)
            run->request_stop();
    });
    std::size_t remaining = accounts.size();
    auto daemon = sync::daemon_pacer(config, io.get_executor());
    for (std::size_t i = 0; i < accounts.size(); ++i) {
        const auto* account = accounts[i];
        auto* outcome = &outcomes[i];  // by value in the handlers: they outlive this loop
        outcome->account = account;
        auto display = std::make_shared<ProgressDisplay>(io.get_executor(), account->name, live);
        sync::AccountSyncHooks hooks{[&, display, account, outcome](sync::SyncRun& run) {
                                         running[account->name] = &run;
                                         outcome->started = true;
                                         display->attach(run);
                                         // A signal that came before the crawler existed.
                                         if (stopped_by)
                                             run.request_stop();
                                     },
                                     [&, display, account](const sync::SyncRun&) {
                                         running.erase(account->name);
                                         display->detach();
                                     }};
        asio::co_spawn(
            io, sync::sync_account(*account, options, daemon, hooks),
            [&, display, account, outcome](std::exception_ptr error, store::RunKind kind) {
                if (error) {
                    auto failure = describe(error);
                    display->finish("sync stopped");
                    if (failure.code == kOk) {
                        spdlog::warn("{}: {}", account->name, failure.message);
                    } else {
                        outcome->error = failure.message;
                    }
                    outcome->code = failure.code;
                    code = worse(code, failure.code);
                } else {
                    display->finish(std::string(store::to_string(kind)) + " sync complete");
                }
                if (--remaining == 0)
                    signals.cancel();
            });
    }
    io.run();
    if (args.json)
        print_json(outcomes);
    // The last lines a user reads: one sentence per account that failed.
    for (const auto& outcome : outcomes) {
        if (!outcome.error.empty())
            report_failure(outcome.account->name + ": " + outcome.error);
    }
    // Stopped by a signal, say so as a shell would: `sync && next-step` must
    // not carry on as if the replica were current.
    return stopped_by ? stopped_exit_code(stopped_by) : code;
}

}  // namespace smartq::daemon
