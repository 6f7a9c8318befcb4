// Full, incremental and deep syncs under random combinations of every wire variation, listing
// fault and mutation of issue 10, compared with the sandbox's dump after every run: a run that
// exits 0 is an exact copy, no run marks a live object deleted, a run under a fault the server
// cannot hide is flagged partial (75), and a later run against a sound server repairs all.
// Fixed seeds in CI; any seed by hand: SMARTQ_PROPERTY_SEED=N.
#include <doctest/doctest.h>

#include <simdjson.h>

#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <thread>

#include "backup_env.hpp"
#include "replica_check.hpp"
#include "store/replica.hpp"
#include "sync/resources.hpp"

using namespace smartq;
using namespace smartq::test;

namespace {

std::vector<std::uint64_t> seeds() {
    if (const char* text = std::getenv("SMARTQ_PROPERTY_SEED"))
        return {std::strtoull(text, nullptr, 10)};
    return {1, 2, 3, 4};
}

// Ids the replica holds as deleted that the sandbox still has: false tombstones.
std::vector<std::string> false_tombstones(const BackupEnv& env, const std::string& dump) {
    simdjson::dom::parser parser;
    auto root = parser.parse(dump);
    auto replica = store::Replica::open(env.replica(), sync::table_specs(), store::Mode::ReadOnly);
    std::vector<std::string> found;
    for (auto table : {"projects", "tickets", "notes", "tasks", "files"}) {
        std::set<std::int64_t> live;
        for (auto object : root[table].get_array())
            live.insert(object["id"].get_int64().value());
        auto deleted =
            replica.query(std::string("SELECT id FROM ") + table + " WHERE deleted_at IS NOT NULL");
        for (const auto& row : deleted.rows)
            if (live.contains(std::get<std::int64_t>(row[0])))
                found.push_back(std::string(table) + " " +
                                std::to_string(std::get<std::int64_t>(row[0])));
    }
    return found;
}

std::int64_t first_ticket(const SandboxFixture& sandbox) {
    simdjson::dom::parser parser;
    auto dump = sandbox.admin("GET", "dump");
    return parser.parse(dump.body)["tickets"].at(0)["id"].get_int64().value();
}

void wait_for_next_second() {
    auto now = std::chrono::system_clock::now();
    std::this_thread::sleep_until(std::chrono::ceil<std::chrono::seconds>(now) +
                                  std::chrono::milliseconds(10));
}

std::string flag(bool on) {
    return on ? "true" : "false";
}

}  // namespace

TEST_CASE("property: random wire variations, faults and mutations never leave a silent gap") {
    for (auto seed : seeds()) {
        CAPTURE(seed);
        std::mt19937_64 random(seed);
        auto chance = [&](int percent) { return static_cast<int>(random() % 100) < percent; };
        sandbox::ServerOptions options;
        options.seed = seed;
        options.wire.page_cap = std::array{0, 3, 7, 25}[random() % 4];
        options.wire.string_ids = chance(50);
        options.wire.int_bools = chance(50);
        options.wire.keyed_lists = chance(30);
        options.wire.tie_shuffle = chance(60);
        options.wire.unpaged_lists = chance(50);
        SandboxFixture sandbox(options);
        BackupEnv env;
        env.configure({{.port = sandbox.port()}});
        auto ticket = first_ticket(sandbox);
        for (int round = 0; round < 4; ++round) {
            CAPTURE(round);
            // What the server does wrong this run: nothing it can hide from a careful reader.
            bool ignore_offset = options.wire.page_cap > 0 && chance(20);
            bool foreign = chance(20);
            bool children_404 = chance(20);
            REQUIRE(sandbox
                        .admin("POST", "wire",
                               "{\"ignore_offset\":" + flag(ignore_offset) +
                                   ",\"foreign_tickets\":" + flag(foreign) + ",\"children_404\":" +
                                   std::to_string(children_404 ? ticket : 0) + "}")
                        .status == 200);
            // Change detection compares update times to the second: a change made within the
            // second the last run read the object is not told apart (see the report of #10).
            wait_for_next_second();
            if (chance(50)) {
                auto mutation = sandbox.admin(
                    "POST", "mutate?seed=" + std::to_string(seed * 100 + round) + "&count=15");
                REQUIRE(mutation.status == 200);
            }
            if (chance(30)) {  // an import: tickets created within one second
                sandbox.admin("POST", "wire", R"({"bulk_insert_time":true})");
                simdjson::dom::parser parser;
                auto dump = sandbox.admin("GET", "dump");
                auto root = parser.parse(dump.body);
                auto id = std::to_string(root["projects"].at(0)["id"].get_int64().value());
                std::string step;
                for (auto s : root["steps"].get_array())
                    if (step.empty() && std::to_string(s["project_id"].get_int64().value()) == id)
                        step = std::to_string(s["id"].get_int64().value());
                for (int i = 0; i < 30; ++i)
                    sandbox.api(
                        "POST", "/projects/" + id + "/tickets",
                        "ticket[name]=Bulk+" + std::to_string(i) + "&ticket[step_id]=" + step,
                        {{"Content-Type", "application/x-www-form-urlencoded"}});
                sandbox.admin("POST", "wire", R"({"bulk_insert_time":false})");
            }
            std::vector<std::string> args = {"sync"};
            if (chance(30))
                args.push_back("--deep");
            auto result = env.run(args);
            CAPTURE(result.err);
            auto dump = sandbox.admin("GET", "dump");
            CHECK(false_tombstones(env, dump.body).empty());
            if (result.code == 0) {
                auto differences = replica_vs_dump(env.replica(), dump.body, env.blobs(), true);
                CHECK_MESSAGE(differences.empty(),
                              differences.size()
                                  << " difference(s), first: "
                                  << (differences.empty() ? "" : differences.front()));
            } else {
                CHECK(result.code == 75);
            }
            // Every run lists all ticket ids, so it always meets another project's ticket; a
            // ticket whose children 404 is met only if the run reads it again.
            if (foreign)
                CHECK(result.code == 75);
        }
        REQUIRE(sandbox
                    .admin("POST", "wire",
                           R"({"ignore_offset":false,"foreign_tickets":false,"children_404":0})")
                    .status == 200);
        auto result = env.run({"sync"});
        CAPTURE(result.err);
        CHECK(result.code == 0);
        check_exact_copy(sandbox, env);
    }
}
