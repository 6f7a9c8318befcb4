// query and status: what users and their scripts read.
#include <doctest/doctest.h>

#include "backup_env.hpp"

using namespace smartq;
using namespace smartq::test;

TEST_CASE("query prints a table, CSV or JSON, and refuses to write") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(env.run({"sync"}).code == 0);
    auto table = env.run({"query", "SELECT id, name FROM projects ORDER BY id LIMIT 2"});
    CHECK(table.code == 0);
    CHECK(table.out.find("id") == 0);
    CHECK(table.out.find("(2 rows)") != std::string::npos);
    auto csv = env.run({"query", "--format", "csv", "SELECT 1 AS a, 'x,\"y' AS b"});
    CHECK(csv.out == "a,b\r\n1,\"x,\"\"y\"\r\n");
    auto json = env.run({"query", "--format", "json", "SELECT 1 AS a, NULL AS b, 'é' AS c"});
    CHECK(json.out == "[{\"a\":1,\"b\":null,\"c\":\"é\"}]\n");
    auto write = env.run({"query", "DELETE FROM tickets"});
    CHECK(write.code == 64);
    auto bad = env.run({"query", "SELEC nonsense"});
    CHECK(bad.code == 64);
    CHECK(bad.err.find("smartq-backup: the query failed") != std::string::npos);
}

TEST_CASE("query before any sync says to run sync first") {
    BackupEnv env;
    env.configure({{.port = 1}});
    auto result = env.run({"query", "SELECT 1"});
    CHECK(result.code != 0);
    CHECK(result.err.find("run smartq-backup sync first") != std::string::npos);
}

TEST_CASE("status shows the last run, and --json is machine-readable") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    auto never = env.run({"status"});
    CHECK(never.code == 0);
    CHECK(never.out.find("never") != std::string::npos);
    REQUIRE(env.run({"sync"}).code == 0);
    auto text = env.run({"status"});
    CHECK(text.out.find("ok full sync") != std::string::npos);
    auto json = env.run({"status", "--json"});
    CHECK(json.out.find("\"account\":\"acme\"") != std::string::npos);
    CHECK(json.out.find("\"status\":\"ok\"") != std::string::npos);
    CHECK(json.out.find("sandbox-password") == std::string::npos);
}

TEST_CASE("usage errors exit 64") {
    BackupEnv env;
    env.configure({{.port = 1}});
    CHECK(env.run({"frobnicate"}).code == 64);
    CHECK(env.run({"query"}).code == 64);
    CHECK(env.run({"--version"}).code == 0);
}

TEST_CASE("on a terminal a live progress line is redrawn, piped there are summary lines only") {
    auto options = sandbox::ServerOptions{};
    options.size = sandbox::Size::Small;
    options.faults.latency_ms = 5;  // a run long enough for several redraws
    SandboxFixture sandbox(options);
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    // script(1) gives the program a pseudo-terminal and copies what it wrote to stdout.
    auto command = std::string(SMARTQ_BACKUP_BIN) + " --config " + env.config().string() + " sync";
    ChildProcess terminal("/usr/bin/script", {"-qec", command, "/dev/null"});
    auto status = terminal.wait(std::chrono::seconds(120));
    REQUIRE(status.has_value());
    CHECK(status->code == 0);
    auto screen = terminal.stdout_text();
    CAPTURE(screen);
    auto redraws = 0;
    for (auto at = screen.find("\r\033[Kacme: "); at != std::string::npos;
         at = screen.find("\r\033[Kacme: ", at + 1))
        ++redraws;
    CHECK(redraws >= 2);
    CHECK(screen.find("records/s") != std::string::npos);
    CHECK(screen.find("attachments") != std::string::npos);
    CHECK(screen.find("full sync complete in") != std::string::npos);
    CHECK(screen.find("acme: tickets: ") != std::string::npos);

    REQUIRE(sandbox.admin("POST", "reset?data=1").status == 200);
    auto piped = env.run({"sync", "--deep"});
    CHECK(piped.code == 0);
    CHECK(piped.err.find('\r') == std::string::npos);
    CHECK(piped.err.find("\033[") == std::string::npos);
    CHECK(piped.err.find("acme: tickets: ") != std::string::npos);
    CHECK(piped.err.find("deep sync complete in") != std::string::npos);
}
