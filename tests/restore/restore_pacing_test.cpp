// A restore keeps to the target's rate_limit with all its requests together: the
// reads, the writes and the looks before a write is sent again share the account's
// one pacer (with a pacer each, they could send up to twice the limit between them).
#include <doctest/doctest.h>

#include <simdjson.h>

#include "restore_drill.hpp"

using namespace smartq;
using namespace smartq::test;

TEST_CASE("restore: reads and writes to the target together keep to its rate_limit") {
    Drill drill;
    REQUIRE(drill.target.admin("POST", "faults", R"({"rate_limit":20})").status == 200);
    drill.env.configure({{.name = "a", .port = drill.source.port()},
                         {.name = "b", .port = drill.target.port(), .extra = "rate_limit = 12\n"}});
    auto restored =
        drill.env.run({"restore", "--from", "a", "--to", "b"}, std::chrono::seconds(300));
    INFO(restored.out, restored.err);
    REQUIRE(restored.code == 0);
    CHECK(equal(drill.compare()));
    simdjson::dom::parser parser;
    auto stats_json = drill.target.admin("GET", "stats");
    simdjson::dom::element root = parser.parse(stats_json.body).value();
    std::int64_t refused = 0;
    auto found = root["by_status"]["429"].get(refused);
    CHECK((found != simdjson::SUCCESS || refused == 0));
    CHECK(writes(stats(drill.target)) > 0);  // the restore did write through the limit
}
