// A restore through a transport that loses the answers to writes the target has
// carried out: the client must not send them again blind, and the restore must look
// in the target before it does.
#include <doctest/doctest.h>

#include <simdjson.h>

#include "restore_drill.hpp"

using namespace smartq;
using namespace smartq::test;

TEST_CASE("restore through writes that commit and then drop or fail: equal, no duplicates") {
    Drill drill;
    REQUIRE(drill.target
                .admin("POST", "faults",
                       R"({"commit_then_drop_rate":0.1,"commit_then_error_rate":0.1,"seed":11})")
                .status == 200);
    auto restored =
        drill.env.run({"restore", "--from", "a", "--to", "b"}, std::chrono::seconds(300));
    INFO(restored.out, restored.err);
    CHECK(restored.code == 0);
    simdjson::dom::parser parser;
    auto stats_json = drill.target.admin("GET", "stats");
    simdjson::dom::element root = parser.parse(stats_json.body).value();
    auto injected = [&](const char* kind) {
        std::int64_t count = 0;
        return root["faults_injected"][kind].get(count) == simdjson::SUCCESS ? count : 0;
    };
    auto dropped = injected("commit_then_drop");
    auto failed = injected("commit_then_error");
    CHECK(dropped > 0);  // the faults did fire: the test exercises what it claims to
    CHECK(failed > 0);
    // Equal to the source: a write sent twice would leave a duplicate and differ.
    CHECK(equal(drill.compare()));
    REQUIRE(
        drill.target
            .admin("POST", "faults", R"({"commit_then_drop_rate":0,"commit_then_error_rate":0})")
            .status == 200);
    drill.target.admin("POST", "reset");
    auto again = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(again.out, again.err);
    CHECK(again.code == 0);
    CHECK(writes(stats(drill.target)) == 0);
    CHECK(equal(drill.compare()));
}
