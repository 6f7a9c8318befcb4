#include <doctest/doctest.h>

#include "store_fixture.hpp"

using namespace smartq::store;
using namespace smartq::store::testing;

namespace {

// Ticket 7: v1 at 10:00, v2 at 11:00, deleted at 12:00, back as v3 at 13:00.
// Ticket 8: v1 at 10:30, never changed.
struct Timeline {
    ScratchDir dir;
    Replica replica = open_replica(dir / "replica.db");
    RunId run = replica.start_run("acme", RunKind::Full, "2024-01-01 09:00:00");
    Timeline() {
        replica.upsert(kProjects, project(1, "Alpha"), run, "2024-01-01 09:00:00");
        replica.upsert(kTickets, ticket(7, 1, "v1"), run, "2024-01-01 10:00:00");
        replica.upsert(kTickets, ticket(8, 1, "other"), run, "2024-01-01 10:30:00");
        replica.upsert(kTickets, ticket(7, 1, "v2"), run, "2024-01-01 11:00:00");
        REQUIRE(replica.tombstone(kTickets, key(7), run, "2024-01-01 12:00:00"));
        REQUIRE(replica.upsert(kTickets, ticket(7, 1, "v3"), run, "2024-01-01 13:00:00") ==
                ChangeKind::Undeleted);
    }

    // "id:title" of every ticket live at `time`, in id order.
    std::vector<std::string> as_of(std::string_view time) {
        auto result = replica.query("SELECT id, json_extract(data, '$.title') FROM (" +
                                    replica.as_of_sql(kTickets, time) + ") ORDER BY id");
        REQUIRE(result.columns.size() == 2);
        std::vector<std::string> live;
        for (const auto& row : result.rows) {
            live.push_back(std::to_string(std::get<std::int64_t>(row[0])) + ":" +
                           std::get<std::string>(row[1]));
        }
        return live;
    }
};

using Live = std::vector<std::string>;

}  // namespace

TEST_CASE("as_of_sql yields the version live at each time") {
    Timeline t;
    CHECK(t.as_of("2024-01-01 09:59:59") == Live{});
    CHECK(t.as_of("2024-01-01 10:00:00") == Live{"7:v1"});
    CHECK(t.as_of("2024-01-01 10:45:00") == Live{"7:v1", "8:other"});
    CHECK(t.as_of("2024-01-01 11:00:00") == Live{"7:v2", "8:other"});
    CHECK(t.as_of("2024-01-01 11:59:59") == Live{"7:v2", "8:other"});
    CHECK(t.as_of("2024-01-01 12:00:00") == Live{"8:other"});
    CHECK(t.as_of("2024-01-01 12:30:00") == Live{"8:other"});
    CHECK(t.as_of("2024-01-01 13:00:00") == Live{"7:v3", "8:other"});
    CHECK(t.as_of("2030-01-01 00:00:00") == Live{"7:v3", "8:other"});
}

TEST_CASE("as_of_sql refuses a malformed time") {
    Timeline t;
    CHECK_THROWS_AS(t.replica.as_of_sql(kTickets, ""), StoreError);
    CHECK_THROWS_AS(t.replica.as_of_sql(kTickets, "2024-01-01' OR 1=1 --"), StoreError);
    CHECK_THROWS_AS(t.replica.as_of_sql(kTickets, "2024-01-01T10:00:00Z"), StoreError);
}

TEST_CASE("history keeps one row per superseded version") {
    Timeline t;
    auto history = t.replica.query(
        "SELECT json_extract(data, '$.title'), valid_from, valid_to, deleted FROM history "
        "WHERE resource = 'tickets' AND key = '7' ORDER BY valid_from");
    REQUIRE(history.rows.size() == 2);
    CHECK(history.rows[0] ==
          std::vector<Value>{"v1", "2024-01-01 10:00:00", "2024-01-01 11:00:00", std::int64_t{0}});
    CHECK(history.rows[1] ==
          std::vector<Value>{"v2", "2024-01-01 11:00:00", "2024-01-01 12:00:00", std::int64_t{1}});
    CHECK(count(t.replica, "SELECT count(*) FROM history WHERE key = '8'") == 0);
    auto changes = t.replica.query(
        "SELECT kind, at FROM changes WHERE resource = 'tickets' AND key = '7' ORDER BY id");
    REQUIRE(changes.rows.size() == 4);
    CHECK(changes.rows[0][0] == Value{"insert"});
    CHECK(changes.rows[1][0] == Value{"update"});
    CHECK(changes.rows[2] == std::vector<Value>{"delete", "2024-01-01 12:00:00"});
    CHECK(changes.rows[3] == std::vector<Value>{"undelete", "2024-01-01 13:00:00"});
}

TEST_CASE("ticket_history lists every version with its times") {
    Timeline t;
    auto versions = t.replica.query(
        "SELECT json_extract(data, '$.title'), valid_from, valid_to, deleted, current "
        "FROM ticket_history WHERE id = 7 ORDER BY valid_from");
    REQUIRE(versions.rows.size() == 3);
    CHECK(versions.rows[0][0] == Value{"v1"});
    CHECK(versions.rows[1] == std::vector<Value>{"v2", "2024-01-01 11:00:00", "2024-01-01 12:00:00",
                                                 std::int64_t{1}, std::int64_t{0}});
    CHECK(versions.rows[2] == std::vector<Value>{"v3", "2024-01-01 13:00:00", std::monostate{},
                                                 std::int64_t{0}, std::int64_t{1}});
}

TEST_CASE("last_run_changes shows only the newest run's changes") {
    Timeline t;
    CHECK(count(t.replica, "SELECT count(*) FROM last_run_changes") ==
          count(t.replica, "SELECT count(*) FROM changes"));
    auto run2 = t.replica.start_run("acme", RunKind::Incremental);
    CHECK(count(t.replica, "SELECT count(*) FROM last_run_changes") == 0);
    t.replica.upsert(kTickets, ticket(8, 1, "changed"), run2);
    auto rows = t.replica.query("SELECT key, kind, run_id FROM last_run_changes");
    REQUIRE(rows.rows.size() == 1);
    CHECK(rows.rows[0] == std::vector<Value>{"8", "update", run2});
}
