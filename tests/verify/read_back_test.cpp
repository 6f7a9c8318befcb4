// verify_against: an account read back from a live sandbox, compared with a
// replica of another sandbox.
#include <utility>

#include <doctest/doctest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "store/blob_store.hpp"
#include "support/account_config.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/temp_dir.hpp"
#include "sync/account_sync.hpp"
#include "sync/crawler.hpp"
#include "sync/verify/read_back.hpp"

namespace {
using namespace smartq;
namespace asio = boost::asio;

template <class T>
T run(asio::awaitable<T> work) {
    asio::io_context io;
    std::exception_ptr failure;
    T result{};
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr error, T value) {
        failure = error;
        result = std::move(value);
    });
    io.run();
    if (failure)
        std::rethrow_exception(failure);
    return result;
}

asio::awaitable<int> sync_into(const config::AccountConfig& account, store::Replica& replica,
                               store::BlobStore& blobs) {
    auto executor = co_await asio::this_coro::executor;
    http::ApiClient client(executor, http::parse_url(account.url), sync::credentials(account),
                           http::Access::ReadOnly, sync::client_options(account));
    sync::Crawler crawler(client, replica, blobs, account.name, sync::SyncOptions());
    co_await crawler.run();
    co_return 0;
}

struct Backup {
    test::TempDir dir;
    store::Replica replica;
    store::BlobStore blobs;
    explicit Backup(const test::SandboxFixture& sandbox)
        : replica(store::Replica::open(dir / "replica.db", sync::table_specs(),
                                       store::Mode::ReadWrite)),
          blobs(dir / "blobs") {
        auto account = test::account_of(sandbox, dir.path());
        run(sync_into(account, replica, blobs));
    }
};

std::vector<std::string> verify(const test::SandboxFixture& sandbox, store::Replica& source,
                                const sync::verify::CompareScope& scope) {
    test::TempDir scratch;
    auto account = test::account_of(sandbox, scratch.path());
    return run(sync::verify::verify_against(account, source, scope, scratch / "read-back"));
}

}  // namespace

TEST_CASE("two sandboxes seeded alike read back equal, and a change to one is found") {
    test::SandboxFixture first;
    test::SandboxFixture second;
    Backup backup(first);
    sync::verify::CompareScope whole;
    auto equal = verify(second, backup.replica, whole);
    std::string all;
    for (const auto& d : equal)
        all += d + "\n";
    INFO(all);
    CHECK(equal.empty());

    REQUIRE(second.admin("POST", "mutate?seed=7&count=3").status == 200);
    CHECK_FALSE(verify(second, backup.replica, whole).empty());
}

TEST_CASE("verify_against an unreachable account throws instead of reporting equality") {
    test::SandboxFixture sandbox;
    Backup backup(sandbox);
    test::TempDir scratch;
    auto account = test::account_of(sandbox, scratch.path());
    account.url = "http://127.0.0.1:1";
    sync::verify::CompareScope whole;
    CHECK_THROWS(
        run(sync::verify::verify_against(account, backup.replica, whole, scratch / "read-back")));
}
