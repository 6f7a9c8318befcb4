// A failed COMMIT of a write batch (a full disk) takes every unit of its window with it. What
// a caller needs to tell that it happened, and that a mark written in the window goes too.
#include <doctest/doctest.h>

#include <chrono>

#include "store_fixture.hpp"

using namespace smartq::store;
using namespace smartq::store::testing;
using namespace std::chrono_literals;

TEST_CASE("a failed batch commit loses its whole window, marks included, and is counted") {
    ScratchDir dir;
    auto replica = open_replica(dir / "replica.db");
    auto run = replica.start_run("acme", RunKind::Full);
    FailCount commits(1);
    replica.inject_commit_faults(&commits);
    auto batch = replica.batch(1h);
    {
        auto tx = replica.begin();
        replica.upsert(kProjects, project(1, "Alpha"), run);
        tx.commit();  // a unit of the window: its commit returns, the window is not committed
    }
    replica.set_mark("tickets", "1", "2026-01-01 00:00:00");
    CHECK(replica.lost_windows() == 0);
    CHECK_THROWS_AS(batch.commit(), StoreError);
    CHECK(replica.lost_windows() == 1);
    CHECK(count(replica, "SELECT count(*) FROM projects") == 0);
    CHECK_FALSE(replica.get_mark("tickets", "1"));
    CHECK(commits.calls() == 1);
    // The next write starts clean and commits.
    replica.upsert(kProjects, project(2, "Beta"), run);
    CHECK(count(replica, "SELECT count(*) FROM projects") == 1);
    CHECK(replica.lost_windows() == 1);
}

TEST_CASE("a window that commits leaves the lost-window count alone") {
    ScratchDir dir;
    auto replica = open_replica(dir / "replica.db");
    auto run = replica.start_run("acme", RunKind::Full);
    FailCount commits(2);  // the second commit fails, not the first
    replica.inject_commit_faults(&commits);
    {
        auto batch = replica.batch(0ms);
        replica.upsert(kProjects, project(1, "Alpha"), run);
        CHECK(replica.lost_windows() == 0);
        CHECK_THROWS_AS(replica.upsert(kProjects, project(2, "Beta"), run), StoreError);
        CHECK(replica.lost_windows() == 1);
    }
    CHECK(count(replica, "SELECT count(*) FROM projects") == 1);
}

TEST_CASE("a mark can be dropped") {
    ScratchDir dir;
    auto replica = open_replica(dir / "replica.db");
    replica.set_mark("tickets", "7", "x");
    replica.drop_mark("tickets", "7");
    CHECK_FALSE(replica.get_mark("tickets", "7"));
}

TEST_CASE("a run records every problem and notice, in order") {
    ScratchDir dir;
    auto replica = open_replica(dir / "replica.db");
    auto first = replica.start_run("acme", RunKind::Full);
    RunSummary summary;
    summary.status = RunStatus::Partial;
    summary.error = "one";
    summary.problems = {"one", "two", "three"};
    summary.notices = {"hidden replies"};
    replica.finish_run(first, summary);
    replica.finish_run(replica.start_run("acme", RunKind::Incremental), RunSummary{});
    auto runs = replica.runs(2);
    REQUIRE(runs.size() == 2);
    CHECK(runs[0].problems.empty());
    CHECK(runs[0].notices.empty());
    CHECK(runs[1].problems == std::vector<std::string>{"one", "two", "three"});
    CHECK(runs[1].notices == std::vector<std::string>{"hidden replies"});
}

TEST_CASE("a sweep names the keys it did not see") {
    ScratchDir dir;
    auto replica = open_replica(dir / "replica.db");
    auto run = replica.start_run("acme", RunKind::Full);
    replica.upsert(kProjects, project(1, "Alpha"), run);
    replica.upsert(kProjects, project(2, "Beta"), run);
    for (std::int64_t id = 1; id <= 4; ++id)
        replica.upsert(kTickets, ticket(id, id <= 3 ? 1 : 2, "t"), run);
    auto sweep = replica.begin_sweep(kTickets, "project_id", std::int64_t{1});
    Value seen{std::int64_t{2}};
    sweep.saw(std::span(&seen, 1));
    auto unseen = sweep.unseen_keys();
    CHECK(unseen == std::vector<std::vector<Value>>{{std::int64_t{1}}, {std::int64_t{3}}});
}
