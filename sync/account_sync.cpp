#include "sync/account_sync.hpp"

#include "store/account_lock.hpp"
#include "store/blob_store.hpp"
#include "store/replica.hpp"
#include "sync/crawler.hpp"

namespace smartq::sync {
namespace asio = boost::asio;

http::ClientOptions client_options(const config::AccountConfig& account) {
    http::ClientOptions options;
    options.ca_file = account.ca_file;
    if (account.proxy) {
        options.proxy = http::Proxy{account.proxy->host, account.proxy->port, account.proxy->user,
                                    account.proxy->password.reveal(), account.proxy->no_proxy};
    }
    options.max_connections = static_cast<std::size_t>(account.concurrency);
    options.rate_limit = account.transport.rate_limit;
    options.request_timeout = account.transport.request_timeout;
    options.retry.retry_for = account.transport.retry_for;
    options.max_answer_size = account.transport.max_answer_size;
    options.account = account.name;
    return options;
}

http::Credentials credentials(const config::AccountConfig& account) {
    return {account.login, account.password.reveal(), account.api_key.reveal()};
}

std::shared_ptr<http::Pacer> daemon_pacer(const config::Config& config,
                                          asio::any_io_executor executor) {
    http::PacerOptions options;
    options.max_in_flight = static_cast<std::size_t>(config.max_requests_in_flight);
    options.rate_limit = config.max_rate;
    return http::Pacer::create(std::move(executor), options);
}

std::filesystem::path replica_path(const config::AccountConfig& account) {
    return account.data_dir / "replica.db";
}

std::filesystem::path blobs_path(const config::AccountConfig& account) {
    return account.data_dir / "blobs";
}

asio::awaitable<store::RunKind> sync_account(const config::AccountConfig& account,
                                             SyncOptions options,
                                             std::shared_ptr<http::Pacer> daemon,
                                             AccountSyncHooks hooks) {
    std::filesystem::create_directories(account.data_dir);
    store::AccountLock lock(account.data_dir / "lock", account.name);
    auto replica =
        store::Replica::open(replica_path(account), table_specs(), store::Mode::ReadWrite);
    store::BlobStore blobs(blobs_path(account));
    auto executor = co_await asio::this_coro::executor;
    http::ApiClient client(executor, http::parse_url(account.url), credentials(account),
                           http::Access::ReadOnly, client_options(account), std::move(daemon));
    options.files = options.files && account.files;
    options.concurrency = static_cast<std::size_t>(account.concurrency);
    Crawler crawler(client, replica, blobs, account.name, options);
    if (hooks.started)
        hooks.started(crawler);
    std::exception_ptr failure;
    store::RunKind kind{};
    try {
        kind = co_await crawler.run();
    } catch (...) {
        failure = std::current_exception();
    }
    if (hooks.finished)
        hooks.finished(crawler);
    if (hooks.transport)
        hooks.transport(client.stats());
    if (failure)
        std::rethrow_exception(failure);
    co_return kind;
}

}  // namespace smartq::sync
