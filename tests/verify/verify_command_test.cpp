// `smartq-backup verify` and `verify --drill` against replicas synced from
// the sandbox, healthy and damaged.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>

#include <simdjson.h>

#include "store/replica.hpp"
#include "sync/backup_env.hpp"
#include "sync/resources.hpp"

namespace {
using namespace smartq;
using namespace smartq::test;

struct Synced {
    SandboxFixture sandbox;
    BackupEnv env;
    Synced() {
        env.configure({{.port = sandbox.port()}});
        REQUIRE(env.run({"sync"}).code == 0);
    }
    // A body of the replica and the file row it belongs to.
    std::pair<std::string, std::string> some_body() {
        auto replica =
            store::Replica::open(env.replica(), sync::table_specs(), store::Mode::ReadOnly);
        auto rows = replica
                        .query(
                            "SELECT sha256, id FROM files WHERE sha256 IS NOT NULL AND size > 0 "
                            "ORDER BY id LIMIT 1")
                        .rows;
        REQUIRE(rows.size() == 1);
        return {std::get<std::string>(rows[0][0]),
                std::to_string(std::get<std::int64_t>(rows[0][1]))};
    }
    std::filesystem::path blob(const std::string& sha256) const {
        return env.blobs() / sha256.substr(0, 2) / sha256;
    }
};

}  // namespace

TEST_CASE("verify on a healthy replica exits 0 with a summary") {
    Synced s;
    auto result = s.env.run({"verify"});
    INFO(result.out, result.err);
    CHECK(result.code == 0);
    CHECK(result.out.find("acme: ok") != std::string::npos);
    CHECK(result.out.find("file bodies re-hashed") != std::string::npos);
}

TEST_CASE("verify names a corrupted body and exits 65") {
    Synced s;
    auto [sha256, file] = s.some_body();
    std::filesystem::permissions(s.blob(sha256), std::filesystem::perms::owner_write,
                                 std::filesystem::perm_options::add);
    std::ofstream(s.blob(sha256), std::ios::binary | std::ios::trunc) << "not the body";
    auto result = s.env.run({"verify", "--account", "acme"});
    INFO(result.out, result.err);
    CHECK(result.code == 65);
    CHECK(result.out.find("file " + file) != std::string::npos);
    CHECK(result.out.find("corrupted") != std::string::npos);
}

TEST_CASE("verify --json prints one document: the verdict, the exit code and each problem") {
    Synced s;
    auto healthy = s.env.run({"verify", "--json"});
    INFO(healthy.out, healthy.err);
    CHECK(healthy.code == 0);
    simdjson::dom::parser parser;
    simdjson::dom::array accounts = parser.parse(healthy.out).get_array().value();
    REQUIRE(accounts.size() == 1);
    simdjson::dom::object ok = accounts.at(0).get_object().value();
    CHECK(std::string_view(ok["account"].get_string().value()) == "acme");
    CHECK(std::string_view(ok["kind"].get_string().value()) == "check");
    CHECK(ok["passed"].get_bool().value());
    CHECK(ok["exit_code"].get_int64().value() == 0);
    CHECK(ok["bodies_checked"].get_int64().value() > 0);
    CHECK(ok["problems"].get_array().value().size() == 0);

    auto [sha256, file] = s.some_body();
    std::filesystem::remove(s.blob(sha256));
    auto damaged = s.env.run({"verify", "--json"});
    INFO(damaged.out, damaged.err);
    CHECK(damaged.code == 65);
    simdjson::dom::parser again;
    simdjson::dom::object bad = again.parse(damaged.out).get_array().at(0).get_object().value();
    CHECK_FALSE(bad["passed"].get_bool().value());
    CHECK(bad["exit_code"].get_int64().value() == 65);
    simdjson::dom::array problems = bad["problems"].get_array().value();
    REQUIRE(problems.size() >= 1);
    bool names_the_file = false;
    for (auto problem : problems)
        names_the_file |= std::string_view(problem.get_string().value()).find("file " + file) !=
                          std::string_view::npos;
    CHECK(names_the_file);
}

TEST_CASE("verify reports a missing body and exits 65") {
    Synced s;
    auto [sha256, file] = s.some_body();
    std::filesystem::remove(s.blob(sha256));
    auto result = s.env.run({"verify"});
    INFO(result.out, result.err);
    CHECK(result.code == 65);
    CHECK(result.out.find("file " + file) != std::string::npos);
    CHECK(result.out.find("missing") != std::string::npos);
}

TEST_CASE("verify mentions a blob no file refers to, without failing") {
    Synced s;
    auto stray = s.env.blobs() / "ab" / std::string(64, 'a');
    std::filesystem::create_directories(stray.parent_path());
    std::ofstream(stray) << "stray";
    auto result = s.env.run({"verify"});
    INFO(result.out, result.err);
    CHECK(result.code == 0);
    CHECK(result.out.find("info: blob " + stray.string() + " is not referenced") !=
          std::string::npos);
}

TEST_CASE("verify on a damaged database file exits 65") {
    Synced s;
    std::filesystem::remove(s.env.replica().string() + "-wal");
    std::filesystem::remove(s.env.replica().string() + "-shm");
    {
        std::fstream db(s.env.replica(), std::ios::in | std::ios::out | std::ios::binary);
        db.seekp(0);
        db << "this is no longer an SQLite database header";
    }
    auto result = s.env.run({"verify"});
    INFO(result.out, result.err);
    CHECK(result.code == 65);
    CHECK(result.out.find("acme:") != std::string::npos);
}

TEST_CASE("verify before any sync says there is no replica and exits 65") {
    BackupEnv env;
    env.configure({{.port = 1}});
    auto result = env.run({"verify"});
    CHECK(result.code == 65);
    CHECK(result.out.find("never synced") != std::string::npos);
}

TEST_CASE("verify --drill restores a tiny account into a sandbox and finds it equal") {
    Synced s;
    auto sandbox_dir = std::filesystem::path(SMARTQ_SANDBOX_BIN).parent_path();
    const char* path = std::getenv("PATH");
    ChildProcess drill(SMARTQ_BACKUP_BIN,
                       {"--config", s.env.config().string(), "verify", "--drill"},
                       {"PATH=" + sandbox_dir.string() + ":" + (path ? path : "/usr/bin")});
    auto status = drill.wait(std::chrono::seconds(180));
    REQUIRE(status.has_value());
    INFO(drill.stdout_text(), drill.stderr_text());
    CHECK(status->code == 0);
    CHECK(drill.stdout_text().find("drill passed") != std::string::npos);
}

TEST_CASE("verify --drill without a sandbox program says so") {
    Synced s;
    ChildProcess drill(SMARTQ_BACKUP_BIN,
                       {"--config", s.env.config().string(), "verify", "--drill"},
                       {"PATH=/nonexistent"});
    auto status = drill.wait(std::chrono::seconds(60));
    REQUIRE(status.has_value());
    CHECK(status->code != 0);
    CHECK(drill.stderr_text().find("smartq-sandbox") != std::string::npos);
}
