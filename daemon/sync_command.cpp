#include <utility>

#include <spdlog/spdlog.h>
#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdio>
#include <map>

#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/progress.hpp"
#include "store/run_log.hpp"
#include "sync/account_sync.hpp"

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

int run_sync(const config::Config& config, const SyncArgs& args) {
    auto accounts = select_accounts(config, args.accounts);
    asio::io_context io;
    sync::SyncOptions options;
    options.deep = args.deep;
    options.files = !args.no_files;
    options.confirm_deletions = args.confirm_deletions;
    bool live = ::isatty(STDERR_FILENO) == 1;
    int code = kOk;
    std::vector<std::string> failures;
    std::map<std::string, sync::Crawler*> running;  // the crawlers alive now
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (ec)
            return;
        spdlog::warn("stopping: committing what was fetched");
        for (auto& [name, crawler] : running)
            crawler->request_stop();
    });
    std::size_t remaining = accounts.size();
    for (const auto* account : accounts) {
        auto display = std::make_shared<ProgressDisplay>(io.get_executor(), account->name, live);
        sync::AccountSyncHooks hooks{[&, display, account](sync::Crawler& crawler) {
                                         running[account->name] = &crawler;
                                         display->attach(crawler);
                                     },
                                     [&, display, account](const sync::Crawler&) {
                                         running.erase(account->name);
                                         display->detach();
                                     }};
        asio::co_spawn(
            io, sync::sync_account(*account, options, nullptr, hooks),
            [&, display, account](std::exception_ptr error, store::RunKind kind) {
                if (error) {
                    auto failure = describe(error);
                    display->finish("sync stopped");
                    if (failure.code == kOk) {
                        spdlog::warn("{}", failure.message);
                    } else {
                        failures.push_back(account->name + ": " + failure.message);
                    }
                    code = worse(code, failure.code);
                } else {
                    display->finish(std::string(store::to_string(kind)) + " sync complete");
                }
                if (--remaining == 0)
                    signals.cancel();
            });
    }
    io.run();
    // The last lines a user reads: one sentence per account that failed.
    for (const auto& failure : failures)
        std::fprintf(stderr, "smartq-backup: %s\n", failure.c_str());
    return code;
}

}  // namespace smartq::daemon
