#include <doctest/doctest.h>
#include <signal.h>

#include <thread>

#include "daemon_harness.hpp"
#include "support/child_process.hpp"
#include "support/http_client.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/text.hpp"

using namespace smartq;
using namespace smartq::test;
using namespace std::chrono_literals;

namespace {

struct DaemonSetup {
    TempDir dir;
    NotifySocket notify;
    std::filesystem::path config = dir / "config.toml";
    std::filesystem::path data = dir / "data";

    std::vector<std::string> env(std::vector<std::string> extra = {}) const {
        auto all = secret_env();
        all.push_back(notify.env());
        all.insert(all.end(), extra.begin(), extra.end());
        return all;
    }
    std::unique_ptr<ChildProcess> start(std::vector<std::string> extra_env = {},
                                        std::vector<std::string> extra_args = {}) const {
        std::vector<std::string> args{"--config", config.string(), "daemon"};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        return std::make_unique<ChildProcess>(SMARTQ_BACKUP_BIN, args, env(std::move(extra_env)));
    }
    ExitStatus stop(ChildProcess& daemon) {
        daemon.kill(SIGTERM);
        auto status = daemon.wait(5s);
        REQUIRE_MESSAGE(status.has_value(),
                        "the daemon did not stop within 5 s: " << daemon.stderr_text());
        return *status;
    }
};

sandbox::ServerOptions slow_sandbox(int latency_ms) {
    sandbox::ServerOptions options;
    options.faults.latency_ms = latency_ms;
    return options;
}

}  // namespace

TEST_CASE("the daemon notifies systemd, keeps two accounts current and stops cleanly on SIGTERM") {
    SandboxFixture a, b;
    DaemonSetup setup;
    write_text(setup.config, config_text(setup.data, {{"a", a.port()}, {"b", b.port()}}));
    auto daemon = setup.start({"WATCHDOG_USEC=400000"});
    REQUIRE_MESSAGE(setup.notify.wait_for("READY=1", 5s), daemon->stderr_text());
    CHECK(setup.notify.wait_for("WATCHDOG=1", 2s));
    CHECK(setup.notify.wait_for("WATCHDOG=1", 1s));
    CHECK(!setup.notify.wait_for_prefix("STATUS=", 5s).empty());
    CHECK_MESSAGE(
        eventually([&] { return ok_runs(setup.data, "a") >= 3 && ok_runs(setup.data, "b") >= 3; },
                   15s),
        daemon->stderr_text());

    ChildProcess status(SMARTQ_BACKUP_BIN, {"--config", setup.config.string(), "status", "--json"},
                        setup.env());
    REQUIRE(status.wait(10s).has_value());
    CHECK(contains(status.stdout_text(), "\"next_run\":\"20"));
    ChildProcess text(SMARTQ_BACKUP_BIN, {"--config", setup.config.string(), "status"},
                      setup.env());
    REQUIRE(text.wait(10s).has_value());
    CHECK(contains(text.stdout_text(), "(daemon pid " + std::to_string(daemon->pid()) + ")"));

    auto exit = setup.stop(*daemon);
    CHECK(exit.code == 0);
    CHECK(setup.notify.wait_for("STOPPING=1", 1s));
    CHECK(integrity_problems(setup.data, "a").empty());
    CHECK(integrity_problems(setup.data, "b").empty());
    // The schedule goes with the daemon.
    ChildProcess after(SMARTQ_BACKUP_BIN, {"--config", setup.config.string(), "status", "--json"},
                       setup.env());
    REQUIRE(after.wait(10s).has_value());
    CHECK(contains(after.stdout_text(), "\"next_run\":null"));
}

TEST_CASE("the first STATUS says starting, the next ones name a real time") {
    SandboxFixture a;
    DaemonSetup setup;
    auto config = config_text(setup.data, {{"a", a.port()}});
    // A long interval: the first run waits, so the schedule is what the status shows.
    config.replace(config.find("interval = \"1s\""), 15, "interval = \"1h\"");
    write_text(setup.config, config);
    auto daemon = setup.start();
    REQUIRE_MESSAGE(setup.notify.wait_for("READY=1", 5s), daemon->stderr_text());
    CHECK(setup.notify.wait_for_prefix("STATUS=", 5s) == "STATUS=starting");
    auto planned = setup.notify.wait_for_prefix("STATUS=", 5s);
    CHECK(planned.starts_with("STATUS=idle; next: a at 20"));
    CHECK_FALSE(contains(planned, "1970"));
    CHECK(setup.stop(*daemon).code == 0);
}

TEST_CASE("a restarted daemon's metrics show the replica's last success before its first run") {
    DaemonSetup setup;
    auto port = free_port();
    auto metrics_listen = "metrics_listen = \"127.0.0.1:" + std::to_string(port) + "\"\n";
    {
        SandboxFixture a;
        write_text(setup.config, config_text(setup.data, {{"a", a.port()}}, metrics_listen));
        ChildProcess sync(SMARTQ_BACKUP_BIN, {"--config", setup.config.string(), "sync"},
                          setup.env());
        REQUIRE(sync.wait(60s).has_value());
        REQUIRE(ok_runs(setup.data, "a") == 1);
    }
    // Its success long ago; with the sandbox gone, no run of the daemon can succeed.
    set_last_success(setup.data, "a", "2001-09-09 01:46:40");
    auto daemon = setup.start();
    REQUIRE_MESSAGE(setup.notify.wait_for("READY=1", 5s), daemon->stderr_text());
    std::string text;
    CHECK(eventually(
        [&] {
            text = http(port, "GET", "/metrics").body;
            return contains(text, "smartq_last_success_timestamp_seconds{account=\"a\"} ");
        },
        5s));
    CHECK(contains(text, "smartq_last_success_timestamp_seconds{account=\"a\"} 1000000000\n"));
    CHECK(contains(text, "smartq_build_info{version=\""));
    CHECK(contains(text, "smartq_last_run_status{account=\"a\",status=\""));
    CHECK(setup.stop(*daemon).code == 0);
}

TEST_CASE("an account that fails does not hold up the other, and the metrics count both") {
    sandbox::ServerOptions flaky;
    flaky.faults.error_rate = 0.05;
    SandboxFixture refusing, working(flaky);
    DaemonSetup setup;
    auto port = free_port();
    write_text(
        setup.config,
        config_text(setup.data,
                    {{"refused", refusing.port(), "SQ_BAD_PASSWORD"}, {"works", working.port()}},
                    "metrics_listen = \"127.0.0.1:" + std::to_string(port) + "\"\n"));
    auto daemon = setup.start();
    REQUIRE_MESSAGE(setup.notify.wait_for("READY=1", 5s), daemon->stderr_text());
    CHECK_MESSAGE(eventually([&] { return ok_runs(setup.data, "works") >= 3; }, 15s),
                  daemon->stderr_text());
    CHECK(ok_runs(setup.data, "refused") == 0);
    auto log = daemon->stderr_text();
    CHECK(contains(log, "refused: sync failed: "));
    CHECK(contains(log, "(failure 2 in a row)"));

    auto metrics = http(port, "GET", "/metrics");
    CHECK(metrics.status == 200);
    CHECK(contains(metrics.body, "smartq_run_failures_total{account=\"refused\"} "));
    CHECK_FALSE(contains(metrics.body, "smartq_run_failures_total{account=\"refused\"} 0\n"));
    CHECK(contains(metrics.body, "smartq_last_success_timestamp_seconds{account=\"works\"} "));
    CHECK_FALSE(contains(metrics.body, "smartq_requests_total{account=\"works\"} 0\n"));
    CHECK(contains(metrics.body, "smartq_http_answers_total{account=\"works\",class=\"2xx\"} "));
    CHECK_FALSE(
        contains(metrics.body, "smartq_http_answers_total{account=\"works\",class=\"2xx\"} 0\n"));
    CHECK(setup.stop(*daemon).code == 0);
}

TEST_CASE("SIGHUP reloads: a new account starts being synced, a broken file is refused") {
    SandboxFixture a, b;
    DaemonSetup setup;
    write_text(setup.config, config_text(setup.data, {{"a", a.port()}}));
    auto daemon = setup.start();
    REQUIRE_MESSAGE(setup.notify.wait_for("READY=1", 5s), daemon->stderr_text());
    REQUIRE(eventually([&] { return ok_runs(setup.data, "a") >= 1; }, 10s));

    write_text(setup.config, config_text(setup.data, {{"a", a.port()}, {"b", b.port()}}));
    daemon->kill(SIGHUP);
    CHECK(setup.notify.wait_for("RELOADING=1", 5s));
    CHECK(setup.notify.wait_for("READY=1", 5s));
    CHECK_MESSAGE(eventually([&] { return ok_runs(setup.data, "b") >= 2; }, 10s),
                  daemon->stderr_text());

    write_text(setup.config, "interval = [broken\n");
    daemon->kill(SIGHUP);
    CHECK(setup.notify.wait_for("RELOADING=1", 5s));
    CHECK(setup.notify.wait_for("READY=1", 5s));
    CHECK(eventually([&] { return contains(daemon->stderr_text(), "the old one stays"); }, 5s));
    auto a_runs = ok_runs(setup.data, "a"), b_runs = ok_runs(setup.data, "b");
    CHECK_MESSAGE(
        eventually(
            [&] { return ok_runs(setup.data, "a") > a_runs && ok_runs(setup.data, "b") > b_runs; },
            10s),
        daemon->stderr_text());
    CHECK(daemon->running());
    CHECK(setup.stop(*daemon).code == 0);
}

TEST_CASE(
    "SIGTERM in the middle of a run commits and exits 0, a manual sync meanwhile is told who holds "
    "the lock") {
    SandboxFixture slow(slow_sandbox(150));
    DaemonSetup setup;
    write_text(setup.config, config_text(setup.data, {{"a", slow.port()}}));
    auto daemon = setup.start();
    REQUIRE_MESSAGE(setup.notify.wait_for("READY=1", 5s), daemon->stderr_text());
    REQUIRE(!setup.notify.wait_for_prefix("STATUS=syncing a", 5s).empty());

    ChildProcess manual(SMARTQ_BACKUP_BIN, {"--config", setup.config.string(), "sync"},
                        setup.env());
    auto manual_exit = manual.wait(10s);
    REQUIRE(manual_exit.has_value());
    CHECK(manual_exit->code == 75);
    CHECK(contains(manual.stderr_text(),
                   "being synced by another process (pid " + std::to_string(daemon->pid())));

    auto before = std::chrono::steady_clock::now();
    auto exit = setup.stop(*daemon);
    CHECK(exit.code == 0);
    CHECK(std::chrono::steady_clock::now() - before < 5s);
    auto runs = runs_of(setup.data, "a");
    REQUIRE(!runs.empty());
    CHECK(runs.front().status == store::RunStatus::Interrupted);
    CHECK(integrity_problems(setup.data, "a").empty());
}

TEST_CASE(
    "a manual sync holding the lock makes the daemon skip a round with one line, then it carries "
    "on") {
    SandboxFixture slow(slow_sandbox(100));
    DaemonSetup setup;
    write_text(setup.config, config_text(setup.data, {{"a", slow.port()}}));
    ChildProcess manual(SMARTQ_BACKUP_BIN, {"--config", setup.config.string(), "sync"},
                        setup.env());
    REQUIRE(eventually([&] { return !runs_of(setup.data, "a").empty(); }, 10s));
    auto daemon = setup.start();
    REQUIRE_MESSAGE(setup.notify.wait_for("READY=1", 5s), daemon->stderr_text());
    CHECK_MESSAGE(eventually(
                      [&] {
                          return contains(daemon->stderr_text(),
                                          "a: skipping this round: account a is being synced");
                      },
                      5s),
                  daemon->stderr_text());
    auto manual_exit = manual.wait(30s);
    REQUIRE(manual_exit.has_value());
    CHECK(manual_exit->code == 0);
    CHECK(eventually([&] { return ok_runs(setup.data, "a") >= 2; }, 15s));
    CHECK(setup.stop(*daemon).code == 0);
}

TEST_CASE("configuration errors give their message and exit 78") {
    DaemonSetup setup;
    auto run = [&](const std::vector<std::string>& args) {
        auto child = std::make_unique<ChildProcess>(SMARTQ_BACKUP_BIN, args, setup.env());
        auto exit = child->wait(10s);
        REQUIRE(exit.has_value());
        return std::make_pair(exit->code, child->stderr_text());
    };
    auto daemon = [&](std::vector<std::string> extra = {}) {
        std::vector<std::string> args{"--config", setup.config.string(), "daemon"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run(args);
    };
    SUBCASE("no file") {
        auto [code, message] = run({"--config", (setup.dir / "missing.toml").string(), "daemon"});
        CHECK(code == 78);
        CHECK(contains(message, "missing.toml"));
    }
    SUBCASE("broken TOML") {
        write_text(setup.config, "interval = [\n");
        auto [code, message] = daemon();
        CHECK(code == 78);
        CHECK(contains(message, "config.toml"));
    }
    SUBCASE("a bad interval") {
        write_text(setup.config, config_text(setup.data, {{"a", 1}}) + "interval = \"soon\"\n");
        auto [code, message] = daemon();
        CHECK(code == 78);
        CHECK(contains(message, "interval"));
    }
    SUBCASE("an unknown --account") {
        write_text(setup.config, config_text(setup.data, {{"a", 1}}));
        auto [code, message] = daemon({"--account", "nope"});
        CHECK(code == 78);
        CHECK(contains(message, "nope"));
    }
    SUBCASE("a metrics address in use") {
        SandboxFixture taken;
        write_text(
            setup.config,
            config_text(setup.data, {{"a", 1}},
                        "metrics_listen = \"127.0.0.1:" + std::to_string(taken.port()) + "\"\n"));
        auto [code, message] = daemon();
        CHECK(code == 78);
        CHECK(contains(message, "metrics_listen"));
    }
    CHECK_FALSE(setup.notify.wait_for("READY=1", 0ms));
}
