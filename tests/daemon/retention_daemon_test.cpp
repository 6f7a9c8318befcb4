// The daemon's [retention]: after its run, an account's policy leaves only the
// runs it keeps, prunes unless told not to, and `sync` leaves the past alone.
#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>

#include "daemon_harness.hpp"
#include "support/child_process.hpp"
#include "support/sandbox_fixture.hpp"

using namespace smartq;
using namespace smartq::test;
using namespace std::chrono_literals;

namespace {

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

std::vector<store::RunId> run_ids(const std::filesystem::path& data, const std::string& account) {
    std::vector<store::RunId> ids;
    for (const auto& run : runs_of(data, account))
        ids.push_back(run.id);
    return ids;
}

// A body no file row references, where prune looks: blobs/<aa>/<sha256>.
std::filesystem::path plant_unreferenced_body(const std::filesystem::path& account_dir) {
    auto body = account_dir / "blobs" / "ab" / ("ab" + std::string(62, '0'));
    std::filesystem::create_directories(body.parent_path());
    std::ofstream(body) << "left over";
    return body;
}

}  // namespace

TEST_CASE("the daemon applies each account's retention after its run and sync does not") {
    SandboxFixture sandbox;
    TempDir dir;
    auto config_file = dir / "config.toml";
    auto data = dir / "data";
    auto config = config_text(data, {{"a", sandbox.port()}, {"b", sandbox.port()}},
                              "[retention]\nkeep_last = 2\n");
    // Long enough that the daemon's first run is its only one in this test.
    config.replace(config.find("interval = \"1s\""), 15, "interval = \"30s\"");
    config += "[accounts.b.retention]\nkeep_last = 1\nprune = false\n";
    write_text(config_file, config);

    for (int i = 0; i < 3; ++i) {
        ChildProcess sync(SMARTQ_BACKUP_BIN, {"--config", config_file.string(), "sync"},
                          secret_env());
        auto status = sync.wait(60s);
        REQUIRE(status.has_value());
        REQUIRE_MESSAGE(status->code == 0, sync.stderr_text());
    }
    // sync keeps every run: the policy is the daemon's.
    REQUIRE(run_ids(data, "a") == std::vector<store::RunId>{3, 2, 1});
    REQUIRE(run_ids(data, "b") == std::vector<store::RunId>{3, 2, 1});
    REQUIRE(runs_of(data, "a").back().kind == store::RunKind::Full);
    REQUIRE(runs_of(data, "a").front().kind == store::RunKind::Incremental);
    auto body_a = plant_unreferenced_body(data / "a");
    auto body_b = plant_unreferenced_body(data / "b");

    ChildProcess daemon(SMARTQ_BACKUP_BIN, {"--config", config_file.string(), "daemon"},
                        secret_env());
    REQUIRE_MESSAGE(eventually(
                        [&] {
                            auto log = daemon.stderr_text();
                            return contains(log, "a: retention:") && contains(log, "b: retention:");
                        },
                        60s),
                    daemon.stderr_text());
    daemon.kill(SIGTERM);
    auto exit = daemon.wait(10s);
    REQUIRE(exit.has_value());
    CHECK(exit->code == 0);
    auto log = daemon.stderr_text();

    // Run 4 is the daemon's. keep_last = 2 keeps 4 and 3, keep_last = 1 keeps
    // 4; both keep run 1, the only full run, which is always kept.
    CHECK(run_ids(data, "a") == std::vector<store::RunId>{4, 3, 1});
    CHECK(run_ids(data, "b") == std::vector<store::RunId>{4, 1});
    CHECK_MESSAGE(contains(log, "a: retention: forgot 1 run, "), log);
    CHECK_MESSAGE(contains(log, "; 3 runs kept, "), log);
    CHECK_MESSAGE(contains(log, "b: retention: forgot 2 runs, "), log);
    CHECK_MESSAGE(contains(log, "; pruned 1 file body, 9 B"), log);
    CHECK_FALSE(std::filesystem::exists(body_a));
    CHECK(std::filesystem::exists(body_b));
    CHECK(integrity_problems(data, "a").empty());
    CHECK(integrity_problems(data, "b").empty());
}
