// A batch COMMIT that fails part-way through a sync (a full disk) takes a whole window of
// pages with it. The run fails, no ticket is left marked as read without its children, and
// the next run, with room on the disk, copies the account exactly (issue 10, case 3).
#include <utility>

#include <doctest/doctest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "backup_env.hpp"
#include "replica_check.hpp"
#include "store/blob_store.hpp"
#include "store/fail_count.hpp"
#include "support/account_config.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/temp_dir.hpp"
#include "sync/account_sync.hpp"
#include "store/child_marks.hpp"
#include "sync/crawler.hpp"

namespace {
using namespace smartq;
namespace asio = boost::asio;

// Runs one sync of `account` into `replica`; the exception it ended with, if any.
std::exception_ptr sync_once(const config::AccountConfig& account, store::Replica& replica,
                             store::BlobStore& blobs) {
    asio::io_context io;
    std::exception_ptr failure;
    auto work = [&]() -> asio::awaitable<void> {
        auto executor = co_await asio::this_coro::executor;
        http::ApiClient client(executor, http::parse_url(account.url), sync::credentials(account),
                               http::Access::ReadOnly, sync::client_options(account));
        sync::Crawler crawler(client, replica, blobs, account.name, sync::SyncOptions());
        co_await crawler.run();
    };
    asio::co_spawn(io, work(), [&](std::exception_ptr error) { failure = error; });
    io.run();
    return failure;
}

sandbox::ServerOptions small_size() {
    sandbox::ServerOptions options;
    options.size = sandbox::Size::Small;
    return options;
}

// The small account of a sandbox, and where its replicas go.
struct SmallAccount {
    test::SandboxFixture server{small_size()};
    test::TempDir dir;
    config::AccountConfig account = test::account_of(server, dir.path(), "acme");
};

}  // namespace

TEST_CASE(
    "a failed commit during a sync leaves no mark without its children, the next run repairs") {
    SmallAccount small;
    auto& [sandbox, dir, account] = small;
    // The first commit of the run, and a later one.
    for (std::size_t failing : {1u, 3u}) {
        CAPTURE(failing);
        auto db = dir / ("replica-" + std::to_string(failing) + ".db");
        auto replica = store::Replica::open(db, sync::table_specs(), store::Mode::ReadWrite);
        store::BlobStore blobs(dir / "blobs");
        store::FailCount commits(failing);
        replica.inject_commit_faults(&commits);
        auto failure = sync_once(account, replica, blobs);
        if (commits.calls() < failing)
            continue;  // the run had fewer commits than that
        REQUIRE(failure);
        CHECK_THROWS_AS(std::rethrow_exception(failure), store::StoreError);
        CHECK(replica.lost_windows() == 1);
        CHECK(store::marks_without_children(replica, sync::tables_below(sync::Kind::Tickets)).empty());
        CHECK(replica.last_run()->status == store::RunStatus::Failed);
        replica.inject_commit_faults(nullptr);
        REQUIRE_FALSE(sync_once(account, replica, blobs));
        auto dump = sandbox.admin("GET", "dump");
        auto differences = test::replica_vs_dump(db, dump.body, dir / "blobs", true);
        CHECK_MESSAGE(differences.empty(), differences.size()
                                               << " difference(s), first: "
                                               << (differences.empty() ? "" : differences.front()));
    }
}

TEST_CASE(
    "a body that cannot be made durable keeps every row naming it out, the next run repairs") {
    SmallAccount small;
    auto& [sandbox, dir, account] = small;
    auto db = dir / "replica.db";
    auto replica = store::Replica::open(db, sync::table_specs(), store::Mode::ReadWrite);
    store::BlobStore blobs(dir / "blobs");
    store::FailCount syncs(1);  // the first sync with bodies to make durable
    blobs.inject_sync_faults(&syncs);
    auto failure = sync_once(account, replica, blobs);
    REQUIRE(failure);
    CHECK_THROWS_AS(std::rethrow_exception(failure), store::BlobError);
    REQUIRE(syncs.calls() >= 1);
    auto syncs_of_failed_run = syncs.calls();
    // The window whose COMMIT waited on that sync is gone with every row naming a body.
    CHECK(replica.lost_windows() == 1);
    auto named = replica.query("SELECT count(*) FROM files WHERE sha256 IS NOT NULL");
    CHECK(std::get<std::int64_t>(named.rows.at(0).at(0)) == 0);
    CHECK(replica.last_run()->status == store::RunStatus::Failed);
    REQUIRE_FALSE(sync_once(account, replica, blobs));
    CHECK(syncs.calls() > syncs_of_failed_run);
    auto dump = sandbox.admin("GET", "dump");
    auto differences = test::replica_vs_dump(db, dump.body, dir / "blobs", true);
    CHECK_MESSAGE(differences.empty(), differences.size()
                                           << " difference(s), first: "
                                           << (differences.empty() ? "" : differences.front()));
}
