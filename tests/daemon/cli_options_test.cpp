// The command line as operators' scripts and monitoring use it: global
// options anywhere, typo hints, --json, status --check, runs and diff, the
// exit codes of an interrupted sync, and where the last error goes.
#include <doctest/doctest.h>
#include <simdjson.h>
#include <sqlite3.h>

#include <csignal>
#include <fstream>
#include <thread>

#include "backup_env.hpp"
#include "store/replica.hpp"
#include "support/text.hpp"
#include "sync/resources.hpp"

using namespace smartq;
using namespace smartq::test;
using namespace std::chrono_literals;

namespace {

// The program with exactly these arguments (BackupEnv::run puts --config first).
RunResult run_program(const std::vector<std::string>& args,
                      const std::vector<std::string>& env = {}) {
    ChildProcess child(SMARTQ_BACKUP_BIN, args, env);
    auto status = child.wait(120s);
    REQUIRE_MESSAGE(status.has_value(), "smartq-backup did not finish in time");
    return {status->code, child.stdout_text(), child.stderr_text()};
}

// Writes to a replica behind the program's back, as a test's time machine.
void execute(const std::filesystem::path& db, const std::string& sql) {
    sqlite3* handle = nullptr;
    REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
    char* error = nullptr;
    auto rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error);
    std::string message = error ? error : "";
    sqlite3_free(error);
    sqlite3_close(handle);
    REQUIRE_MESSAGE(rc == SQLITE_OK, message);
}

// A file only its owner may read, as secrets and configurations must be.
void write_private(const std::filesystem::path& file, const std::string& text) {
    std::ofstream(file) << text;
    std::filesystem::permissions(
        file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

std::size_t lines_starting(const std::string& text, const std::string& prefix) {
    std::size_t count = 0;
    for (std::size_t at = 0; at < text.size();) {
        auto end = text.find('\n', at);
        if (text.compare(at, prefix.size(), prefix) == 0)
            ++count;
        at = end == std::string::npos ? text.size() : end + 1;
    }
    return count;
}

std::int64_t scalar(const BackupEnv& env, const std::string& sql) {
    auto replica = store::Replica::open(env.replica(), sync::table_specs(), store::Mode::ReadOnly);
    return std::get<std::int64_t>(replica.query(sql).rows[0][0]);
}

}  // namespace

TEST_CASE("global options work after the subcommand, and -v and -q set the log level") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    auto config = env.config().string();
    // The default configuration file is wrong: only --config after `status` makes this work.
    auto after = run_program({"status", "--config", config}, {"SMARTQ_BACKUP_CONFIG=/nonexistent"});
    CHECK(after.code == 0);
    CHECK(contains(after.out, "acme ("));
    CHECK(run_program({"status"}, {"SMARTQ_BACKUP_CONFIG=/nonexistent"}).code == 78);

    auto verbose = run_program({"sync", "--config", config, "-v"});
    CHECK(verbose.code == 0);
    CHECK(contains(verbose.err, " debug "));
    auto quiet = run_program({"-q", "--config", config, "sync", "--deep"});
    CHECK(quiet.code == 0);
    CHECK_FALSE(contains(quiet.err, " info "));
    auto normal = run_program({"--config", config, "sync"});
    CHECK(contains(normal.err, " info "));
    CHECK_FALSE(contains(normal.err, " debug "));
    CHECK(run_program({"--config", config, "sync", "-v", "--log-level", "info"}).code == 64);
    CHECK(contains(run_program({"restore", "--help"}).out, "-n,--dry-run"));
}

TEST_CASE("a mistyped subcommand gets a suggestion and exit 64") {
    auto typo = run_program({"snyc"});
    CHECK(typo.code == 64);
    CHECK(contains(typo.err, "'snyc' is not a smartq-backup command; did you mean 'sync'?"));
    auto after_option = run_program({"--config", "/x.toml", "stauts", "--json"});
    CHECK(after_option.code == 64);
    CHECK(contains(after_option.err, "did you mean 'status'?"));
    auto unknown = run_program({"frobnicate"});
    CHECK(unknown.code == 64);
    CHECK(contains(unknown.err, "'frobnicate' is not a smartq-backup command"));
    CHECK_FALSE(contains(unknown.err, "did you mean"));
}

TEST_CASE("a usage error is one sentence on one line and exit 64") {
    auto missing = run_program({"restore", "--from", "a"});
    CHECK(missing.code == 64);
    CHECK(missing.err == "smartq-backup: --to is required; see smartq-backup --help\n");
    auto not_a_number = run_program({"runs", "--limit", "many"});
    CHECK(not_a_number.code == 64);
    CHECK(lines_starting(not_a_number.err, "smartq-backup: ") == 1);
    CHECK(not_a_number.err.find('\n') == not_a_number.err.size() - 1);
    auto help = run_program({"forget", "--help"});
    CHECK(help.code == 0);
    CHECK(contains(help.out, "--keep-within"));
}

TEST_CASE("sync --json prints one JSON document on stdout and its logs on stderr") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port()},
                   {.name = "refused", .port = sandbox.port(), .password = "wrong-password"}});
    auto result = env.run({"sync", "--json"});
    CHECK(result.code == 77);
    CHECK(contains(result.err, " info "));
    CHECK(contains(result.err, "smartq-backup: refused: "));
    REQUIRE(lines_starting(result.out, "[") == 1);
    simdjson::dom::parser parser;
    simdjson::dom::array accounts;
    REQUIRE(parser.parse(result.out).get_array().get(accounts) == simdjson::SUCCESS);
    REQUIRE(accounts.size() == 2);
    simdjson::dom::object acme = accounts.at(0).get_object().value();
    CHECK(std::string_view(acme["account"].get_string().value()) == "acme");
    CHECK(acme["exit_code"].get_int64().value() == 0);
    CHECK(std::string_view(acme["run"]["status"].get_string().value()) == "ok");
    CHECK(acme["run"]["records"]["tickets"]["inserted"].get_int64().value() ==
          scalar(env, "SELECT count(*) FROM tickets"));
    simdjson::dom::object refused = accounts.at(1).get_object().value();
    CHECK(refused["exit_code"].get_int64().value() == 77);
    // Its run was recorded as failed: the JSON shows that row, not an older one.
    CHECK(std::string_view(refused["run"]["status"].get_string().value()) == "failed");
    CHECK_FALSE(refused["error"].is_null());
}

TEST_CASE(
    "status --check: exit 0 when every last run succeeded recently, else 1 with a line each") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    auto never = env.run({"status", "--check"});
    CHECK(never.code == 1);
    CHECK(never.out == "acme: never synced\n");
    REQUIRE(env.run({"sync"}).code == 0);
    auto fresh = env.run({"status", "--check"});
    CHECK(fresh.code == 0);
    CHECK(fresh.out == "ok: 1 account synced recently\n");

    // Three hours ago: older than twice the default interval of 15 minutes.
    execute(env.replica(),
            "UPDATE runs SET started_at = datetime('now', '-3 hours', '-1 minute'), "
            "ended_at = datetime('now', '-3 hours')");
    auto stale = env.run({"status", "--check"});
    CHECK(stale.code == 1);
    CHECK(stale.out.starts_with("acme: last success at "));
    CHECK(contains(stale.out, " UTC is 3h 00m old, more than 30m 00s\n"));
    CHECK(env.run({"status", "--check", "--max-age", "4h"}).code == 0);
    CHECK(env.run({"status", "--check", "--max-age", "2 hours 30min"}).code == 1);
    auto bad_age = env.run({"status", "--check", "--max-age", "soon"});
    CHECK(bad_age.code == 64);
    CHECK(contains(bad_age.err, "--max-age: 'soon' is not a duration"));
    CHECK(env.run({"status", "--max-age", "4h"}).code == 64);

    // A systemd.time(7) interval in the configuration sets the default.
    env.configure({{.port = sandbox.port(), .extra = "interval = \"2 days\""}});
    CHECK(env.run({"status", "--check"}).code == 0);

    execute(env.replica(), "UPDATE runs SET status = 'failed', error = 'the login was refused'");
    auto failed = env.run({"status", "--check", "--json"});
    CHECK(failed.code == 1);
    CHECK(contains(failed.out, "\"healthy\":false"));
    CHECK(contains(failed.out, "\"problem\":\"last run failed at "));
    CHECK(contains(failed.out, "UTC: the login was refused\""));
}

TEST_CASE("runs lists the runs newest first, diff nets out the change log between two") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(env.run({"sync"}).code == 0);
    REQUIRE(sandbox.admin("POST", "mutate?seed=5&count=20").status == 200);
    REQUIRE(env.run({"sync"}).code == 0);

    auto table = env.run({"runs"});
    CHECK(table.code == 0);
    CHECK(table.out.starts_with("id | kind"));
    CHECK(contains(table.out, "| problem"));
    CHECK(contains(table.out, "(2 rows)"));
    CHECK(table.out.find("2  | incremental") < table.out.find("1  | full"));
    auto json = env.run({"runs", "--json", "--limit", "1"});
    CHECK(lines_starting(json.out, "[{\"id\":2,\"kind\":\"incremental\"") == 1);

    // The real change log: one line per object the second run changed.
    auto diff = env.run({"diff", "1", "2"});
    CHECK(diff.code == 0);
    auto objects = scalar(env,
                          "SELECT count(DISTINCT resource || '/' || key) FROM changes "
                          "WHERE run_id = 2");
    CHECK(objects > 0);
    CHECK(static_cast<std::int64_t>(lines_starting(diff.out, "+ ") +
                                    lines_starting(diff.out, "~ ") +
                                    lines_starting(diff.out, "- ")) == objects);
    CHECK(contains(diff.out, "from run 1 ("));

    // Hand-made runs: an object added and deleted in between is no change; a
    // deletion undone is a change.
    execute(env.replica(),
            "INSERT INTO runs(id, account, kind, started_at, status) VALUES "
            "(3, 'acme', 'deep', '2030-01-01 00:00:00', 'ok'), "
            "(4, 'acme', 'deep', '2030-01-02 00:00:00', 'ok');"
            "INSERT INTO changes(run_id, resource, key, kind, at) VALUES "
            "(3, 'tickets', '900001', 'insert', '2030-01-01 00:00:01'), "
            "(4, 'tickets', '900001', 'delete', '2030-01-02 00:00:01'), "
            "(3, 'notes', '77', 'delete', '2030-01-01 00:00:01'), "
            "(4, 'notes', '77', 'undelete', '2030-01-02 00:00:01'), "
            "(4, 'tasks', '5', 'delete', '2030-01-02 00:00:01'), "
            "(4, 'users', '900002', 'insert', '2030-01-02 00:00:01');");
    auto net = env.run({"diff", "2", "4"});
    CHECK(net.code == 0);
    CHECK(net.out.starts_with("~ notes 77\n- tasks 5\n+ users 900002\nfrom run 2 ("));
    CHECK(net.out.ends_with(
        " UTC) to run 4 (2030-01-02 00:00:00 UTC): 1 added, 1 changed, 1 deleted\n"));
    auto net_json = env.run({"diff", "3", "4", "--json"});
    CHECK(net_json.out ==
          "{\"from\":3,\"to\":4,\"changes\":[{\"resource\":\"notes\",\"key\":\"77\",\"change\":"
          "\"changed\"},{\"resource\":\"tasks\",\"key\":\"5\",\"change\":\"deleted\"},"
          "{\"resource\":\"tickets\",\"key\":\"900001\",\"change\":\"deleted\"},"
          "{\"resource\":\"users\",\"key\":\"900002\",\"change\":\"added\"}]}\n");
    CHECK(env.run({"diff", "4", "2"}).code == 64);

    // Every problem and notice a run recorded: the table names the first and
    // how many more, status lists them all, JSON carries them all.
    execute(env.replica(),
            "UPDATE runs SET status = 'partial', error = 'ticket 7 refused' "
            "WHERE id = 4; INSERT INTO run_findings(run_id, seq, kind, text) "
            "VALUES (4, 1, 'problem', 'ticket 7 refused'), "
            "(4, 2, 'problem', 'project 2 refused'), "
            "(4, 3, 'notice', '3 private notes not visible')");
    auto latest = env.run({"runs", "--limit", "1"});
    CHECK(contains(latest.out, "| partial | +0 ~0 -0 | ticket 7 refused (and 1 more)\n"));
    auto status = env.run({"status"});
    CHECK(contains(status.out,
                   "  problem:      ticket 7 refused\n"
                   "  problem:      project 2 refused\n"
                   "  notice:       3 private notes not visible\n"));
    CHECK(contains(env.run({"runs", "--json", "--limit", "1"}).out,
                   "\"problems\":[\"ticket 7 refused\",\"project 2 refused\"],"
                   "\"notices\":[\"3 private notes not visible\"]}"));
    auto missing = env.run({"diff", "1", "99"});
    CHECK(missing.code == 64);
    CHECK(contains(missing.err, "there is no run 99"));
}

TEST_CASE("an interrupted sync commits what it fetched and exits 130 on SIGINT, 143 on SIGTERM") {
    sandbox::ServerOptions options;
    options.size = sandbox::Size::Small;
    options.faults.latency_ms = 20;  // slow enough to be caught mid-run
    SandboxFixture sandbox(options);
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    for (auto [signal, code] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
        CAPTURE(signal);
        auto before =
            std::filesystem::exists(env.replica()) ? scalar(env, "SELECT count(*) FROM runs") : 0;
        auto child = env.start({"sync", "--deep"});
        // Wait until this run has begun and tickets are committed.
        bool fetched = false;
        for (int i = 0; i < 3000 && !fetched; ++i) {
            std::this_thread::sleep_for(10ms);
            try {
                fetched = std::filesystem::exists(env.replica()) &&
                          scalar(env, "SELECT count(*) FROM runs") > before &&
                          scalar(env, "SELECT count(*) FROM tickets") > 0;
            } catch (const std::exception&) {
                // the schema is still being created
            }
        }
        REQUIRE(fetched);
        child->kill(signal);
        auto status = child->wait(30s);
        REQUIRE(status.has_value());
        CHECK(status->code == code);
        auto runs =
            store::Replica::open(env.replica(), sync::table_specs(), store::Mode::ReadOnly).runs(1);
        REQUIRE(runs.size() == 1);
        CHECK(runs[0].status == store::RunStatus::Interrupted);
        CHECK(scalar(env, "SELECT count(*) FROM runs") == before + 1);
    }
    CHECK(scalar(env, "SELECT count(*) FROM tickets") > 0);
}

TEST_CASE("verify --drill without the sandbox program exits 69 saying where it looked") {
    BackupEnv env;
    env.configure({{.port = 1}});
    auto result = run_program({"--config", env.config().string(), "verify", "--drill"},
                              {"PATH=/nonexistent/bin"});
    CHECK(result.code == 69);
    CHECK(contains(result.err, "needs the smartq-sandbox program"));
    CHECK(contains(result.err, "/nonexistent/bin"));
    CHECK_FALSE(contains(result.err, "internal error"));
}

TEST_CASE("with a stale JOURNAL_STREAM the last error still goes to stderr") {
    auto result =
        run_program({"--config", "/nonexistent/config.toml", "status"}, {"JOURNAL_STREAM=1:1"});
    CHECK(result.code == 78);
    CHECK(contains(result.err, "smartq-backup: "));
    CHECK(contains(result.err, "/nonexistent/config.toml"));
}

TEST_CASE(
    "the units' empty credential fallbacks: unused with secrets from the environment, "
    "refused by name when the configuration asks for the file") {
    SandboxFixture sandbox;
    TempDir dir;
    auto credentials = dir / "credentials";
    std::filesystem::create_directories(credentials);
    // What SetCredential=acme.password:\n leaves when /etc/smartq-backup/acme.password is missing.
    for (const auto* name : {"acme.password", "acme.key"})
        write_private(credentials / name, "\n");
    auto data = (dir / "data").string();
    auto url = "url = \"http://127.0.0.1:" + std::to_string(sandbox.port()) + "\"\n";
    write_private(dir / "env.toml",
                  "data_dir = \"" + data + "\"\n[accounts.acme]\n" + url +
                      "login = \"admin@sandbox.test\"\n"
                      "password_env = \"SQ_PASSWORD\"\napi_key_env = \"SQ_KEY\"\n");
    auto from_env = run_program({"--config", (dir / "env.toml").string(), "sync"},
                                {"CREDENTIALS_DIRECTORY=" + credentials.string(),
                                 "SQ_PASSWORD=sandbox-password", "SQ_KEY=sandbox-key"});
    CHECK_MESSAGE(from_env.code == 0, from_env.err);
    write_private(dir / "files.toml", "data_dir = \"" + data + "\"\n[accounts.acme]\n" + url +
                                          "login = \"admin@sandbox.test\"\n"
                                          "password_file = \"acme.password\"\n"
                                          "api_key_file = \"acme.key\"\n");
    auto from_files = run_program({"--config", (dir / "files.toml").string(), "sync"},
                                  {"CREDENTIALS_DIRECTORY=" + credentials.string()});
    CHECK(from_files.code == 78);
    CHECK(contains(from_files.err, (credentials / "acme.password").string() + " is empty"));
}
