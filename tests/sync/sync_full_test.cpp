// Full backups against the sandbox: the replica is an exact copy of the
// account, under every wire variation and with faults switched on.
#include <doctest/doctest.h>

#include <csignal>

#include "backup_env.hpp"
#include "replica_check.hpp"
#include "store/replica.hpp"
#include "sync/resources.hpp"

using namespace smartq;
using namespace smartq::test;

namespace {

sandbox::ServerOptions sandbox_options(sandbox::Size size) {
    sandbox::ServerOptions options;
    options.size = size;
    options.seed = 11;
    return options;
}

void full_sync_is_exact(sandbox::ServerOptions options) {
    SandboxFixture sandbox(options);
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    auto result = env.run({"sync"});
    INFO(result.err);
    REQUIRE(result.code == 0);
    check_exact_copy(sandbox, env);
    // Server file names (../../etc/passwd, CON, ...) never become paths: only hashes do.
    for (auto& entry : std::filesystem::recursive_directory_iterator(env.blobs())) {
        auto name = entry.path().filename().string();
        if (entry.is_directory()) {
            CHECK(
                (name == "tmp" || (name.size() == 2 && name.find_first_not_of("0123456789abcdef") ==
                                                           std::string::npos)));
        } else {
            CHECK(name.size() == 64);
            CHECK(name.find_first_not_of("0123456789abcdef") == std::string::npos);
        }
    }
}

}  // namespace

TEST_CASE("a full sync of tiny copies every object and every attachment exactly") {
    full_sync_is_exact(sandbox_options(sandbox::Size::Tiny));
}

TEST_CASE("a full sync of small copies every object and every attachment exactly") {
    full_sync_is_exact(sandbox_options(sandbox::Size::Small));
}

TEST_CASE("every wire variation gives the same exact copy") {
    auto options = sandbox_options(sandbox::Size::Tiny);
    SUBCASE("string ids") {
        options.wire.string_ids = true;
    }
    SUBCASE("1/0 booleans") {
        options.wire.int_bools = true;
    }
    SUBCASE("lists keyed by id") {
        options.wire.keyed_lists = true;
    }
    SUBCASE("a page cap of 7") {
        options.wire.page_cap = 7;
    }
    SUBCASE("all of them at once") {
        options.wire = {.string_ids = true, .int_bools = true, .keyed_lists = true, .page_cap = 3};
    }
    full_sync_is_exact(options);
}

TEST_CASE("errors, 429s, dropped connections and truncated bodies together: still an exact copy") {
    auto options = sandbox_options(sandbox::Size::Tiny);
    options.faults.error_rate = 0.08;
    options.faults.drop_rate = 0.05;
    options.faults.truncate_rate = 0.05;
    options.faults.rate_limit = 400;
    options.faults.seed = 5;
    full_sync_is_exact(options);
}

TEST_CASE("a sync sends nothing but GETs and the token POST") {
    SandboxFixture sandbox(sandbox_options(sandbox::Size::Tiny));
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(env.run({"sync"}).code == 0);
    REQUIRE(env.run({"sync", "--deep"}).code == 0);
    auto s = stats(sandbox);
    CHECK(s.total > 0);
    for (const auto& [route, n] : s.by_route) {
        CAPTURE(route);
        bool allowed = route.rfind("GET ", 0) == 0 || route.rfind("POST /oauth2", 0) == 0;
        CHECK(allowed);
    }
    CHECK(s.by_method["PUT"] == 0);
    CHECK(s.by_method["DELETE"] == 0);
}

TEST_CASE("--no-files stores file metadata but no bodies, and a later sync fetches them") {
    SandboxFixture sandbox(sandbox_options(sandbox::Size::Tiny));
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(env.run({"sync", "--no-files"}).code == 0);
    {
        auto replica =
            store::Replica::open(env.replica(), sync::table_specs(), store::Mode::ReadOnly);
        auto files = replica.query("SELECT count(*), count(sha256) FROM files");
        CHECK(std::get<std::int64_t>(files.rows[0][0]) > 0);
        CHECK(std::get<std::int64_t>(files.rows[0][1]) == 0);
    }
    const std::string downloads = "GET /projects/{id}/tickets/{id}/notes/{id}/files/{id}/download";
    const std::string notes = "GET /projects/{id}/tickets/{id}/notes";
    CHECK(stats(sandbox).by_route.count(downloads) == 0);
    // Another run without files has nothing to read again.
    sandbox.admin("POST", "reset");
    REQUIRE(env.run({"sync", "--no-files"}).code == 0);
    CHECK(stats(sandbox).by_route.count(notes) == 0);
    // The first run with files is incremental, and still fetches every body.
    auto with_files = env.run({"sync"});
    INFO(with_files.err);
    REQUIRE(with_files.code == 0);
    check_exact_copy(sandbox, env);
    CHECK(stats(sandbox).by_route[downloads] > 0);
}

TEST_CASE("identical attachment bodies are stored once") {
    SandboxFixture sandbox(sandbox_options(sandbox::Size::Small));
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(env.run({"sync"}).code == 0);
    auto replica = store::Replica::open(env.replica(), sync::table_specs(), store::Mode::ReadOnly);
    auto distinct =
        replica.query("SELECT count(DISTINCT sha256) FROM files WHERE sha256 IS NOT NULL");
    std::size_t blobs = 0;
    for (auto& entry : std::filesystem::recursive_directory_iterator(env.blobs()))
        if (entry.is_regular_file() && entry.path().parent_path().filename() != "tmp")
            ++blobs;
    CHECK(static_cast<std::int64_t>(blobs) == std::get<std::int64_t>(distinct.rows[0][0]));
}

TEST_CASE("runs records each run with its counts") {
    SandboxFixture sandbox(sandbox_options(sandbox::Size::Tiny));
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(env.run({"sync"}).code == 0);
    REQUIRE(env.run({"sync"}).code == 0);
    auto replica = store::Replica::open(env.replica(), sync::table_specs(), store::Mode::ReadOnly);
    auto runs = replica.runs(10);
    REQUIRE(runs.size() == 2);
    CHECK(runs[1].kind == store::RunKind::Full);
    CHECK(runs[0].kind == store::RunKind::Incremental);
    for (const auto& run : runs) {
        CHECK(run.status == store::RunStatus::Ok);
        CHECK(run.requests > 0);
        CHECK(run.ended_at.has_value());
    }
    CHECK(runs[1].records.at("tickets").inserted > 0);
    CHECK(runs[0].records.at("tickets").inserted == 0);
}
