#include "sync/verify/read_back.hpp"

#include <spdlog/spdlog.h>

#include "store/blob_store.hpp"
#include "sync/account_sync.hpp"
#include "sync/crawler.hpp"

namespace smartq::sync::verify {
namespace asio = boost::asio;

asio::awaitable<std::vector<std::string>> verify_against(const config::AccountConfig& target,
                                                         store::Replica& source,
                                                         const CompareScope& scope,
                                                         const std::filesystem::path& scratch_dir) {
    std::filesystem::create_directories(scratch_dir);
    auto replica =
        store::Replica::open(scratch_dir / "replica.db", table_specs(), store::Mode::ReadWrite);
    store::BlobStore blobs(scratch_dir / "blobs");
    auto executor = co_await asio::this_coro::executor;
    // Read-only like every sync: verifying never writes to the account it reads.
    http::ApiClient client(executor, http::parse_url(target.url), credentials(target),
                           http::Access::ReadOnly, client_options(target));
    SyncOptions options;
    options.files = true;  // file bodies are compared by sha256
    Crawler crawler(client, replica, blobs, target.name, options);
    co_await crawler.run();
    spdlog::info("{}: read back for verification, comparing", target.name);
    co_return compare_replicas(source, replica, scope);
}

}  // namespace smartq::sync::verify
