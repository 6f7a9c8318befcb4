// The daemon's [retention]: after its run, an account's policy leaves only the
// runs it keeps, prunes unless told not to, and `sync` leaves the past alone;
// an account can switch it off; a retention that fails is one error line and
// the daemon goes on; a bad policy stops the daemon at start; reclaim_space
// empties the WAL.
#include <doctest/doctest.h>
#include <signal.h>
#include <sqlite3.h>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "daemon/scheduled_retention.hpp"
#include "daemon_harness.hpp"
#include "store/account_lock.hpp"
#include "store/retention.hpp"
#include "support/child_process.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/text.hpp"

using namespace smartq;
using namespace smartq::test;
using namespace std::chrono_literals;

namespace {

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

void run_sync(const std::filesystem::path& config_file, bool deep) {
    std::vector<std::string> args{"--config", config_file.string(), "sync"};
    if (deep)
        args.push_back("--deep");
    ChildProcess sync(SMARTQ_BACKUP_BIN, args, secret_env());
    auto status = sync.wait(60s);
    REQUIRE(status.has_value());
    REQUIRE_MESSAGE(status->code == 0, sync.stderr_text());
}

std::size_t lines_with(const std::string& log, const std::string& text) {
    std::size_t count = 0;
    for (auto at = log.find(text); at != std::string::npos; at = log.find(text, at + 1))
        ++count;
    return count;
}

// The daemon's log once `done` holds for it, after a SIGTERM that it ends with exit 0.
std::string log_until_stopped(ChildProcess& daemon,
                              const std::function<bool(const std::string&)>& done) {
    REQUIRE_MESSAGE(eventually([&] { return done(daemon.stderr_text()); }, 60s),
                    daemon.stderr_text());
    daemon.kill(SIGTERM);
    auto exit = daemon.wait(10s);
    REQUIRE(exit.has_value());
    CHECK(exit->code == 0);
    return daemon.stderr_text();
}

std::int64_t pragma(sqlite3* db, const std::string& name) {
    std::int64_t value = -1;
    auto keep = [](void* out, int, char** values, char**) {
        *static_cast<std::int64_t*>(out) = std::stoll(values[0]);
        return 0;
    };
    REQUIRE(sqlite3_exec(db, ("PRAGMA " + name).c_str(), keep, &value, nullptr) == SQLITE_OK);
    return value;
}

}  // namespace

TEST_CASE("a bad retention policy stops the daemon at start with exit 78 and one sentence") {
    TempDir dir;
    auto config_file = dir / "config.toml";
    write_text(config_file, config_text(dir / "data", {{"a", 9}}, "[retention]\nkeep_last = -1\n"));
    ChildProcess daemon(SMARTQ_BACKUP_BIN, {"--config", config_file.string(), "daemon"},
                        secret_env());
    auto status = daemon.wait(10s);
    REQUIRE(status.has_value());
    CHECK(status->code == 78);
    auto err = daemon.stderr_text();
    CHECK_MESSAGE(contains(err, "key 'retention.keep_last': -1 is not in 0..1000000"), err);
    CHECK_MESSAGE(err.find('\n') == err.size() - 1, err);
}

TEST_CASE("after a forget that dropped versions the WAL is emptied and the free space counted") {
    SandboxFixture sandbox;
    TempDir dir;
    auto config_file = dir / "config.toml";
    auto data = dir / "data";
    write_text(config_file, config_text(data, {{"a", sandbox.port()}}));
    run_sync(config_file, true);
    for (int seed : {1, 2}) {
        std::this_thread::sleep_for(1100ms);  // history times have whole seconds
        REQUIRE(sandbox.admin("POST", "mutate?seed=" + std::to_string(seed) + "&count=30").status ==
                200);
        run_sync(config_file, true);
    }
    auto replica = data / "a" / "replica.db";
    auto wal = std::filesystem::path(replica.string() + "-wal");
    // An open connection keeps the WAL from being checkpointed when forget's closes.
    sqlite3* watcher = nullptr;
    REQUIRE(sqlite3_open(replica.c_str(), &watcher) == SQLITE_OK);
    pragma(watcher, "page_count");
    auto forgot = store::forget(replica, {.last = 1}, false);
    CHECK(forgot.forgotten == std::vector<store::RunId>{1, 2});
    CHECK(forgot.versions > 0);
    REQUIRE(std::filesystem::file_size(wal) > 0);

    auto free_bytes = store::reclaim_space(replica);
    CHECK(std::filesystem::file_size(wal) == 0);
    auto free_pages = pragma(watcher, "freelist_count");
    CHECK(free_pages > 0);
    CHECK(free_bytes == static_cast<std::uint64_t>(free_pages * pragma(watcher, "page_size")));
    sqlite3_close(watcher);
}

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

    for (int i = 0; i < 3; ++i)
        run_sync(config_file, false);
    // sync keeps every run: the policy is the daemon's.
    REQUIRE(run_ids(data, "a") == std::vector<store::RunId>{3, 2, 1});
    REQUIRE(run_ids(data, "b") == std::vector<store::RunId>{3, 2, 1});
    REQUIRE(runs_of(data, "a").back().kind == store::RunKind::Full);
    REQUIRE(runs_of(data, "a").front().kind == store::RunKind::Incremental);
    auto body_a = plant_unreferenced_body(data / "a");
    auto body_b = plant_unreferenced_body(data / "b");

    ChildProcess daemon(SMARTQ_BACKUP_BIN, {"--config", config_file.string(), "daemon"},
                        secret_env());
    auto log = log_until_stopped(daemon, [&](const std::string& text) {
        return contains(text, "a: retention:") && contains(text, "b: retention:");
    });

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

TEST_CASE("a retention that finds the account's lock held is one error line naming the account") {
    TempDir dir;
    config::AccountConfig account;
    account.name = "acme";
    account.data_dir = dir / "acme";
    account.retention = config::RetentionConfig{.keep_last = 1};
    std::filesystem::create_directories(account.data_dir);
    store::AccountLock held(account.data_dir / "lock", "acme");

    std::ostringstream log;
    auto logger = std::make_shared<spdlog::logger>(
        "retention-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
    logger->set_pattern("%l %v");
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(logger);
    CHECK_NOTHROW(daemon::apply_retention(account));
    spdlog::set_default_logger(previous);

    auto text = log.str();
    CHECK_MESSAGE(text.starts_with("error acme: retention failed, tried again after the next "
                                   "run: account acme is being synced by another process"),
                  text);
    CHECK_MESSAGE(lines_with(text, "\n") == 1, text);
}

TEST_CASE(
    "retention = false keeps an account's runs, and a failing retention does not stop the "
    "daemon") {
    SandboxFixture sandbox;
    TempDir dir;
    auto config_file = dir / "config.toml";
    auto data = dir / "data";
    // a's table comes last, so the line appended is its own.
    write_text(config_file, config_text(data, {{"b", sandbox.port()}, {"a", sandbox.port()}},
                                        "[retention]\nkeep_last = 1\n") +
                                "retention = false\n");
    // b's prune meets a blob directory that cannot be read: a symbolic link to itself.
    std::filesystem::create_directories(data / "b" / "blobs");
    std::filesystem::create_directory_symlink("zz", data / "b" / "blobs" / "zz");

    ChildProcess daemon(SMARTQ_BACKUP_BIN, {"--config", config_file.string(), "daemon"},
                        secret_env());
    auto log = log_until_stopped(daemon, [&](const std::string& text) {
        return lines_with(text, "b: retention failed") >= 2 && runs_of(data, "a").size() >= 2;
    });
    CHECK(lines_with(log, "b: retention failed") == lines_with(log,
                                                               " error b: retention failed, "
                                                               "tried again after the next "
                                                               "run: "));
    CHECK_MESSAGE(lines_with(log, "a: retention") == 0, log);
    auto runs_a = runs_of(data, "a");
    CHECK(runs_a.size() >= 2);
    CHECK(runs_a.back().id == 1);  // keep_last = 1 would have forgotten it
    CHECK(integrity_problems(data, "b").empty());
}
