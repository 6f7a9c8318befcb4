// One account's sync from configuration to committed replica: the data
// directory and its lock, the read-only client, the crawler.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <filesystem>
#include <functional>
#include <memory>

#include "config/config.hpp"
#include "store/run_log.hpp"
#include "sync/http/client_options.hpp"
#include "sync/http/credentials.hpp"
#include "sync/http/pacer.hpp"
#include "sync/http/request_stats.hpp"
#include "sync/sync_run.hpp"

namespace smartq::sync {

// The client settings an account's configuration asks for.
http::ClientOptions client_options(const config::AccountConfig& account);
http::Credentials credentials(const config::AccountConfig& account);

// Paths of an account's data directory.
std::filesystem::path replica_path(const config::AccountConfig& account);
std::filesystem::path blobs_path(const config::AccountConfig& account);

struct AccountSyncHooks {
    // Called once the crawler exists (for progress display and stop requests),
    // and when it is about to go, whether the run succeeded or not.
    std::function<void(SyncRun&)> started;
    std::function<void(const SyncRun&)> finished;
    // What the client counted, once the run is over (for metrics).
    std::function<void(const http::Stats&)> transport = {};
};

// The pacer every account of one process passes besides its own: at most
// max_in_flight requests in flight and max_rate a second, across all accounts.
std::shared_ptr<http::Pacer> daemon_pacer(const config::Config& config,
                                          boost::asio::any_io_executor executor);

// Runs one sync of `account`, holding the account's lock for its duration.
// Throws what the crawler throws, and LockBusy if another process holds it.
boost::asio::awaitable<store::RunKind> sync_account(const config::AccountConfig& account,
                                                    SyncOptions options,
                                                    std::shared_ptr<http::Pacer> daemon,
                                                    AccountSyncHooks hooks = {});

}  // namespace smartq::sync
