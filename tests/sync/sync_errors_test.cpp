// What the user sees when a sync cannot be done: one sentence, the right exit
// code, and nothing already stored lost.
#include <doctest/doctest.h>

#include "backup_env.hpp"
#include "replica_check.hpp"
#include "store/replica.hpp"
#include "sync/resources.hpp"

using namespace smartq;
using namespace smartq::test;

namespace {

std::int64_t ticket_count(const BackupEnv& env) {
    auto replica = store::Replica::open(env.replica(), sync::table_specs(), store::Mode::ReadOnly);
    return std::get<std::int64_t>(replica.query("SELECT count(*) FROM tickets").rows[0][0]);
}

// The last line of stderr: what the user reads.
std::string last_line(const std::string& text) {
    auto end = text.find_last_not_of('\n');
    if (end == std::string::npos)
        return {};
    auto start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1,
                       end - (start == std::string::npos ? 0 : start + 1) + 1);
}

void check_one_sentence(const RunResult& result, const std::string& must_contain) {
    auto line = last_line(result.err);
    CAPTURE(result.err);
    CHECK(line.rfind("smartq-backup: ", 0) == 0);
    CHECK(line.find(must_contain) != std::string::npos);
    CHECK(result.err.find("sandbox-password") == std::string::npos);
    CHECK(result.err.find("sandbox-key") == std::string::npos);
    CHECK(result.err.find("what()") == std::string::npos);
}

}  // namespace

TEST_CASE("a wrong API key stops the run with exit 77 and loses nothing") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(env.run({"sync"}).code == 0);
    auto before = ticket_count(env);
    env.configure({{.port = sandbox.port(), .api_key = "an-old-key"}});
    auto result = env.run({"sync"});
    CHECK(result.code == 77);
    check_one_sentence(result, "acme");
    CHECK(ticket_count(env) == before);
    auto dump = sandbox.admin("GET", "dump");
    CHECK(replica_vs_dump(env.replica(), dump.body, env.blobs(), true).empty());
}

TEST_CASE("a wrong password stops the run with exit 77 naming the login") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port(), .password = "not-the-password"}});
    auto result = env.run({"sync"});
    CHECK(result.code == 77);
    check_one_sentence(result, "admin@sandbox.test");
    CHECK(result.err.find("not-the-password") == std::string::npos);
}

TEST_CASE("an unreachable host ends with exit 69") {
    BackupEnv env;
    env.configure({{.port = 9}});  // discard: nothing listens there
    auto result = env.run({"sync"});
    CHECK(result.code == 69);
    check_one_sentence(result, "127.0.0.1");
}

TEST_CASE("a server that answers only HTML error pages ends with exit 75 and loses nothing") {
    sandbox::ServerOptions options;
    SandboxFixture sandbox(options);
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(env.run({"sync"}).code == 0);
    auto before = ticket_count(env);
    REQUIRE(sandbox.admin("POST", "faults", R"({"error_rate":1.0})").status == 200);
    auto result = env.run({"sync"}, std::chrono::seconds(300));
    CHECK(result.code == 75);
    check_one_sentence(result, "HTML");
    CHECK(ticket_count(env) == before);
    REQUIRE(sandbox.admin("POST", "faults", R"({"error_rate":0})").status == 200);
    CHECK(env.run({"sync"}).code == 0);
}

TEST_CASE("a configuration mistake ends with exit 78 naming the file") {
    BackupEnv env;
    env.configure({{.port = 1, .extra = "colour = \"blue\""}});
    auto result = env.run({"sync"});
    CHECK(result.code == 78);
    check_one_sentence(result, "config.toml");
}

TEST_CASE("a full disk ends the run with exit 74 and one sentence, the next run completes") {
    SandboxFixture sandbox;  // tiny: it has a multi-megabyte attachment
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    std::filesystem::create_directories(env.data_dir());
    // A small tmpfs as the data directory (root only, as in CI); elsewhere the test says why it
    // did not run.
    auto mount =
        "mount -t tmpfs -o size=2m smartq-test " + env.data_dir().string() + " 2>/dev/null";
    if (std::system(mount.c_str()) != 0) {
        MESSAGE("cannot mount a tmpfs here (not root?): full-disk test not run");
        return;
    }
    struct Unmount {
        std::string dir;
        ~Unmount() { std::system(("umount " + dir).c_str()); }
    } unmount{env.data_dir().string()};
    auto full = env.run({"sync"});
    CHECK(full.code == 74);
    check_one_sentence(full, "disk");
    REQUIRE(std::system(("mount -o remount,size=64m " + env.data_dir().string()).c_str()) == 0);
    auto result = env.run({"sync"});
    INFO(result.err);
    REQUIRE(result.code == 0);
    auto dump = sandbox.admin("GET", "dump");
    CHECK(replica_vs_dump(env.replica(), dump.body, env.blobs(), true).empty());
}

TEST_CASE(
    "a body whose size disagrees with its metadata makes the run partial, the next completes") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(sandbox.admin("POST", "wire", R"({"size_skew":1})").status == 200);
    auto lying = env.run({"sync"});
    CHECK(lying.code == 75);
    check_one_sentence(lying, "bytes where its metadata says");
    {
        auto replica =
            store::Replica::open(env.replica(), sync::table_specs(), store::Mode::ReadOnly);
        auto files = replica.query("SELECT count(*), count(sha256) FROM files");
        CHECK(std::get<std::int64_t>(files.rows[0][0]) > 0);
        CHECK(std::get<std::int64_t>(files.rows[0][1]) == 0);  // no body accepted
        CHECK(replica.last_run()->status == store::RunStatus::Partial);
    }
    CHECK(ticket_count(env) > 0);
    REQUIRE(sandbox.admin("POST", "wire", R"({"size_skew":0})").status == 200);
    auto honest = env.run({"sync"});
    INFO(honest.err);
    REQUIRE(honest.code == 0);
    check_exact_copy(sandbox, env);
}

TEST_CASE("a part of the account the login may not read makes the run partial, not silent") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(sandbox
                .admin("POST", "faults",
                       R"({"forbidden_route":"GET /projects/{id}/tickets/{id}/tasks"})")
                .status == 200);
    auto refused = env.run({"sync"});
    CHECK(refused.code == 75);
    check_one_sentence(refused, "could not be read");
    CHECK(refused.err.find("403") != std::string::npos);
    CHECK(ticket_count(env) > 0);
    REQUIRE(sandbox.admin("POST", "faults", R"({"forbidden_route":""})").status == 200);
    auto allowed = env.run({"sync"});
    INFO(allowed.err);
    REQUIRE(allowed.code == 0);
    check_exact_copy(sandbox, env);
}
