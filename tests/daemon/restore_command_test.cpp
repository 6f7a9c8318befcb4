// restore as scripts use it: --json, and a stop by SIGINT or SIGTERM that
// exits 130 or 143 with every write in the id map, so that the same restore
// run again finishes it with no duplicates.
#include <doctest/doctest.h>
#include <signal.h>
#include <simdjson.h>
#include <sqlite3.h>

#include <thread>

#include "restore/restore_drill.hpp"

namespace smartq::test {
namespace {
using namespace std::chrono_literals;

// The source replica's count for `sql`, read with SQLite alone.
std::int64_t count(const BackupEnv& env, const std::string& sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(env.replica("a").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
            SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* statement = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
    REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    auto n = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return n;
}

// Objects the id map says exist in the target.
std::int64_t mapped(const BackupEnv& env) {
    return count(env, "SELECT count(*) FROM _id_map WHERE new_key != 'pending'");
}

}  // namespace

TEST_CASE("restore --json prints one document whose counts are the restore's") {
    Drill drill;
    auto dry = drill.env.run({"restore", "--from", "a", "--to", "b", "--dry-run", "--json"});
    INFO(dry.err);
    REQUIRE(dry.code == 0);
    simdjson::dom::parser parser;
    simdjson::dom::object plan = parser.parse(dry.out).get_object().value();
    CHECK(plan["dry_run"].get_bool().value());
    auto tickets = count(drill.env, "SELECT count(*) FROM tickets WHERE deleted_at IS NULL");
    CHECK(plan["resources"]["tickets"]["created"].get_int64().value() == tickets);
    CHECK(writes(stats(drill.target)) == 0);

    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b", "--json"});
    INFO(restored.err);
    REQUIRE(restored.code == 0);
    CHECK(restored.out.find('\n') == restored.out.size() - 1);  // one line, one document
    simdjson::dom::parser again;
    simdjson::dom::object report = again.parse(restored.out).get_object().value();
    CHECK(std::string_view(report["from"].get_string().value()) == "a");
    CHECK(report["exit_code"].get_int64().value() == 0);
    CHECK(report["complete"].get_bool().value());
    CHECK(report["resources"]["tickets"]["created"].get_int64().value() == tickets);
    CHECK(report["resources"]["tickets"]["failed"].get_int64().value() == 0);
    CHECK(report["writes"].get_int64().value() == writes(stats(drill.target)));
    CHECK(report["differences"].get_array().size() == 0);
    CHECK(report["verify_seconds"].is_double());
    CHECK(equal(drill.compare()));
}

TEST_CASE("restore stopped by SIGINT exits 130 and by SIGTERM 143, and a rerun finishes") {
    Drill drill(sandbox::Size::Small);
    // Slow enough that each signal lands mid-restore.
    REQUIRE(drill.target.admin("POST", "faults", R"({"latency_ms":20})").status == 200);
    std::int64_t before = 0;
    for (auto [signal, code] : {std::pair{SIGINT, 130}, std::pair{SIGTERM, 143}}) {
        CAPTURE(signal);
        auto child = drill.env.start({"restore", "--from", "a", "--to", "b"});
        auto deadline = std::chrono::steady_clock::now() + 120s;
        while (child->running() && mapped(drill.env) < before + 20 &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(10ms);
        REQUIRE_MESSAGE(child->running(), child->stderr_text());
        child->kill(signal);
        auto status = child->wait(30s);
        REQUIRE(status.has_value());
        INFO(child->stderr_text());
        CHECK(status->code == code);
        CHECK(child->stderr_text().find("stopping: every write so far is in the id map") !=
              std::string::npos);
        CHECK(child->stdout_text().empty());
        auto now = mapped(drill.env);
        CHECK(now >= before + 20);
        before = now;
    }
    REQUIRE(drill.target.admin("POST", "faults", R"({"latency_ms":0})").status == 200);
    // The lock was released and the id map kept: the rest is created, nothing twice.
    auto finished = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(finished.out, finished.err);
    CHECK(finished.code == 0);
    CHECK(equal(drill.compare()));
}

}  // namespace smartq::test
