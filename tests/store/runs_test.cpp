#include <doctest/doctest.h>

#include "store_fixture.hpp"

using namespace smartq::store;
using namespace smartq::store::testing;

TEST_CASE("a run is recorded from start to finish") {
    ScratchDir dir;
    auto replica = open_replica(dir / "replica.db");
    CHECK_FALSE(replica.last_run());
    auto id = replica.start_run("acme", RunKind::Incremental, "2024-01-01 10:00:00");
    auto running = replica.last_run();
    REQUIRE(running);
    CHECK(running->id == id);
    CHECK(running->account == "acme");
    CHECK(running->kind == RunKind::Incremental);
    CHECK(running->status == RunStatus::Running);
    CHECK(running->started_at == "2024-01-01 10:00:00");
    CHECK_FALSE(running->ended_at);
    RunSummary summary;
    summary.status = RunStatus::Partial;
    summary.requests = 42;
    summary.bytes = 1234;
    summary.records["tickets"] = {1, 2, 3, 4};
    summary.records["notes"] = {5, 0, 0, 0};
    summary.error = "2 notes could not be read";
    replica.finish_run(id, summary, "2024-01-01 10:05:00");
    auto done = replica.last_run();
    CHECK(done->status == RunStatus::Partial);
    CHECK(done->ended_at == "2024-01-01 10:05:00");
    CHECK(done->requests == 42);
    CHECK(done->bytes == 1234);
    CHECK(done->records == summary.records);
    CHECK(done->error == summary.error);
    CHECK(std::get<std::string>(scalar(replica,
                                       "SELECT json_extract(records, "
                                       "'$.tickets.deleted') || '' FROM runs")) == "4");
}

TEST_CASE("runs are listed newest first") {
    ScratchDir dir;
    auto replica = open_replica(dir / "replica.db");
    std::vector<RunId> ids;
    for (int i = 0; i < 3; ++i) {
        ids.push_back(replica.start_run("acme", RunKind::Full));
        replica.finish_run(ids.back(), RunSummary{});
    }
    auto listed = replica.runs(2);
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].id == ids[2]);
    CHECK(listed[1].id == ids[1]);
    CHECK(listed[0].status == RunStatus::Ok);
    CHECK(listed[0].error.empty());
    CHECK(replica.runs(10).size() == 3);
}

TEST_CASE("a run left running by a killed process is marked interrupted") {
    ScratchDir dir;
    RunId abandoned = 0;
    {
        auto replica = open_replica(dir / "replica.db");
        abandoned = replica.start_run("acme", RunKind::Full);
    }
    auto replica = open_replica(dir / "replica.db");
    auto next = replica.start_run("acme", RunKind::Incremental);
    auto listed = replica.runs(2);
    REQUIRE(listed.size() == 2);
    CHECK(listed[0].id == next);
    CHECK(listed[0].status == RunStatus::Running);
    CHECK(listed[1].id == abandoned);
    CHECK(listed[1].status == RunStatus::Interrupted);
    CHECK_FALSE(listed[1].error.empty());
}

TEST_CASE("finishing a run wrongly is refused") {
    ScratchDir dir;
    auto replica = open_replica(dir / "replica.db");
    auto id = replica.start_run("acme", RunKind::Deep);
    CHECK_THROWS_WITH_AS(replica.finish_run(999, RunSummary{}), doctest::Contains("no run 999"),
                         StoreError);
    RunSummary still_running;
    still_running.status = RunStatus::Running;
    CHECK_THROWS_AS(replica.finish_run(id, still_running), StoreError);
    CHECK(replica.last_run()->status == RunStatus::Running);
}

TEST_CASE("run kinds and statuses convert to and from text") {
    for (auto kind : {RunKind::Full, RunKind::Incremental, RunKind::Deep}) {
        CHECK(run_kind_from_string(to_string(kind)) == kind);
    }
    for (auto status : {RunStatus::Running, RunStatus::Ok, RunStatus::Partial, RunStatus::Failed,
                        RunStatus::Interrupted}) {
        CHECK(run_status_from_string(to_string(status)) == status);
    }
    CHECK(to_string(RunKind::Deep) == "deep");
    CHECK_THROWS_AS(run_kind_from_string("weekly"), StoreError);
    CHECK_THROWS_AS(run_status_from_string("OK"), StoreError);
}
