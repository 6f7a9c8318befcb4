#include <doctest/doctest.h>

#include "store_fixture.hpp"

using namespace smartq::store;
using namespace smartq::store::testing;

namespace {

// Project 1 holds tickets 1..5, project 2 holds ticket 6.
struct Board {
    ScratchDir dir;
    Replica replica = open_replica(dir / "replica.db");
    RunId run = replica.start_run("acme", RunKind::Full, "2024-01-01 09:00:00");
    Board() {
        replica.upsert(kProjects, project(1, "Alpha"), run);
        replica.upsert(kProjects, project(2, "Beta"), run);
        for (int id = 1; id <= 5; ++id) {
            replica.upsert(kTickets, ticket(id, 1, "t" + std::to_string(id)), run,
                           "2024-01-01 10:00:00");
        }
        replica.upsert(kTickets, ticket(6, 2, "t6"), run, "2024-01-01 10:00:00");
    }

    bool deleted(std::int64_t id) {
        return replica.find(kTickets, key(id))->deleted_at.has_value();
    }
};

}  // namespace

TEST_CASE("a sweep tombstones the unseen rows of its scope only") {
    Board b;
    auto deep = b.replica.start_run("acme", RunKind::Deep);
    auto sweep = b.replica.begin_sweep(kTickets, "project_id", std::int64_t{1});
    for (int id : {1, 2, 3, 3}) {
        sweep.saw(key(id));
    }
    sweep.saw(key(6));  // another project's ticket seen here changes nothing
    CHECK(sweep.live_count() == 5);
    CHECK(sweep.unseen_count() == 2);
    CHECK(sweep.tombstone(deep, "2024-01-02 00:00:00") == 2);
    for (int id : {1, 2, 3, 6}) {
        CAPTURE(id);
        CHECK_FALSE(b.deleted(id));
        CHECK(b.replica.find(kTickets, key(id))->changed_run == b.run);
    }
    CHECK(b.replica.find(kTickets, key(4))->deleted_at == "2024-01-02 00:00:00");
    CHECK(b.deleted(5));
    CHECK(b.replica.find(kTickets, key(4))->data == ticket(4, 1, "t4").data);
    auto deletions =
        b.replica.query("SELECT key, run_id FROM changes WHERE kind = 'delete' ORDER BY key");
    CHECK(deletions.rows == std::vector<std::vector<Value>>{{"4", deep}, {"5", deep}});
    auto history = b.replica.query(
        "SELECT key, valid_from, valid_to, deleted, data FROM history ORDER BY key");
    REQUIRE(history.rows.size() == 2);
    CHECK(history.rows[0] == std::vector<Value>{"4", "2024-01-01 10:00:00", "2024-01-02 00:00:00",
                                                std::int64_t{1}, ticket(4, 1, "t4").data});
    CHECK(count(b.replica, "SELECT count(*) FROM tickets") == 6);
    CHECK(sweep.live_count() == 3);
    CHECK(sweep.unseen_count() == 0);
    CHECK(sweep.tombstone(deep) == 0);
}

TEST_CASE("a sweep over a whole table and its guard counts") {
    Board b;
    auto sweep = b.replica.begin_sweep(kTickets);
    CHECK(sweep.live_count() == 6);
    CHECK(sweep.unseen_count() == 6);
    sweep.saw(key(6));
    CHECK(sweep.unseen_count() == 5);
    auto other = b.replica.begin_sweep(kTickets);
    CHECK(other.unseen_count() == 6);
}

TEST_CASE("a sweep refuses bad keys and unknown scope columns") {
    Board b;
    CHECK_THROWS_WITH_AS(b.replica.begin_sweep(kTickets, "nope", std::int64_t{1}),
                         doctest::Contains("no column nope"), StoreError);
    auto sweep = b.replica.begin_sweep(kTickets);
    CHECK_THROWS_AS(sweep.saw(std::vector<Value>{}), StoreError);
}

TEST_CASE("the seen keys of a sweep go with the sweep, and sweeps change no schema") {
    Board b;
    auto seen = [&] { return count(b.replica, "SELECT count(*) FROM temp.seen_tickets"); };
    { b.replica.begin_sweep(kTickets).saw(key(1)); }
    auto schema = count(b.replica, "PRAGMA temp.schema_version");
    {
        auto sweep = b.replica.begin_sweep(kTickets, "project_id", std::int64_t{1});
        auto other = b.replica.begin_sweep(kTickets, "project_id", std::int64_t{1});
        sweep.saw(key(1));
        sweep.saw(key(2));
        other.saw(key(3));
        CHECK(seen() == 3);
        CHECK(sweep.unseen_count() == 3);
        CHECK(other.unseen_count() == 4);
    }
    CHECK(seen() == 0);
    CHECK(count(b.replica, "PRAGMA temp.schema_version") == schema);
    CHECK(count(b.replica, "SELECT count(*) FROM sqlite_temp_master WHERE type = 'table'") == 1);
}

TEST_CASE("a sweep still works after a rollback took its table away") {
    Board b;
    {
        auto tx = b.replica.begin();
        b.replica.begin_sweep(kTickets).saw(key(1));
    }
    auto sweep = b.replica.begin_sweep(kTickets);
    sweep.saw(key(6));
    CHECK(sweep.unseen_count() == 5);
}

TEST_CASE("an upsert of a tombstoned row undeletes it") {
    Board b;
    REQUIRE(b.replica.tombstone(kTickets, key(4), b.run, "2024-01-02 00:00:00"));
    auto run2 = b.replica.start_run("acme", RunKind::Incremental);
    CHECK(b.replica.upsert(kTickets, ticket(4, 1, "t4"), run2, "2024-01-03 00:00:00") ==
          ChangeKind::Undeleted);
    auto row = b.replica.find(kTickets, key(4));
    CHECK_FALSE(row->deleted_at);
    CHECK(row->changed_at == "2024-01-03 00:00:00");
    CHECK(row->first_seen_at == "2024-01-01 10:00:00");
    CHECK(count(b.replica, "SELECT count(*) FROM changes WHERE kind = 'undelete' AND key = '4'") ==
          1);
    CHECK(b.replica.upsert(kTickets, ticket(4, 1, "t4"), run2) == ChangeKind::Unchanged);
}

TEST_CASE("tombstoning one row, and a parent's children") {
    Board b;
    CHECK(b.replica.tombstone(kTickets, key(1), b.run));
    CHECK_FALSE(b.replica.tombstone(kTickets, key(1), b.run));
    CHECK_FALSE(b.replica.tombstone(kTickets, key(99), b.run));
    CHECK(b.replica.tombstone_children(kTickets, "project_id", std::int64_t{1}, b.run) == 4);
    CHECK_FALSE(b.deleted(6));
    CHECK(count(b.replica, "SELECT count(*) FROM tickets WHERE deleted_at IS NOT NULL") == 5);
    CHECK(count(b.replica, "SELECT count(*) FROM changes WHERE kind = 'delete'") == 5);
    CHECK_THROWS_AS(b.replica.tombstone_children(kTickets, "nope", std::int64_t{1}, b.run),
                    StoreError);
    CHECK_THROWS_AS(b.replica.tombstone(kTickets, std::vector<Value>{}, b.run), StoreError);
}
