// A full sync killed part-way resumes: the next run fetches no verified blob
// again and re-reads no ticket whose children were all committed.
#include <doctest/doctest.h>

#include <csignal>

#include <thread>

#include "backup_env.hpp"
#include "replica_check.hpp"
#include "store/replica.hpp"
#include "sync/resources.hpp"

using namespace smartq;
using namespace smartq::test;

namespace {

std::int64_t scalar(const BackupEnv& env, const std::string& sql) {
    auto replica = store::Replica::open(env.replica(), sync::table_specs(), store::Mode::ReadOnly);
    return std::get<std::int64_t>(replica.query(sql).rows[0][0]);
}

// Waits until the replica holds at least `n` committed ticket marks.
bool wait_for_marks(const BackupEnv& env, std::int64_t n, std::chrono::seconds limit) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
        if (std::filesystem::exists(env.replica())) {
            try {
                if (scalar(env, "SELECT count(*) FROM _sync_marks WHERE resource = 'tickets'") >= n)
                    return true;
            } catch (const std::exception&) {
                // the schema is still being created
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

}  // namespace

TEST_CASE("a full sync killed with SIGKILL resumes without fetching again what it had") {
    sandbox::ServerOptions options;
    options.size = sandbox::Size::Small;
    options.seed = 3;
    options.faults.latency_ms = 2;
    SandboxFixture sandbox(options);
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});

    auto child = env.start({"sync"});
    REQUIRE(wait_for_marks(env, 60, std::chrono::seconds(60)));
    child->kill(SIGKILL);
    REQUIRE(child->wait(std::chrono::seconds(10)));

    {
        auto replica =
            store::Replica::open(env.replica(), sync::table_specs(), store::Mode::ReadOnly);
        CHECK(replica.integrity_check().empty());
    }
    auto marked = scalar(env, "SELECT count(*) FROM _sync_marks WHERE resource = 'tickets'");
    auto tickets_total = scalar(env, "SELECT count(*) FROM tickets");
    auto verified = scalar(env, "SELECT count(*) FROM files WHERE sha256 IS NOT NULL");
    REQUIRE(sandbox.admin("POST", "reset").status == 200);

    auto result = env.run({"sync"});
    INFO(result.err);
    REQUIRE(result.code == 0);
    auto dump = sandbox.admin("GET", "dump");
    auto problems = replica_vs_dump(env.replica(), dump.body, env.blobs(), true);
    CHECK_MESSAGE(problems.empty(), (problems.empty() ? "" : problems.front()));

    auto s = stats(sandbox);
    auto files_total = scalar(env, "SELECT count(*) FROM files");
    auto downloads = s.by_route["GET /projects/{id}/tickets/{id}/notes/{id}/files/{id}/download"];
    CHECK(downloads <= files_total - verified);
    // Every ticket is listed again (cheap pages), but only unmarked ones have their children read.
    auto notes_lists = s.by_route["GET /projects/{id}/tickets/{id}/notes"];
    auto tickets_now = scalar(env, "SELECT count(*) FROM tickets");
    CHECK(tickets_now >= tickets_total);
    CHECK(notes_lists <= 2 * (tickets_now - marked));
    auto runs =
        store::Replica::open(env.replica(), sync::table_specs(), store::Mode::ReadOnly).runs(5);
    REQUIRE(runs.size() == 2);
    CHECK(runs[1].status == store::RunStatus::Interrupted);
    CHECK(runs[0].kind == store::RunKind::Full);
}
