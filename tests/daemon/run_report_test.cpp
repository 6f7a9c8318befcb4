// How a run reads to a person: counts with the right plural, durations,
// the net change and the first problem.
#include <doctest/doctest.h>

#include "daemon/run_report.hpp"

using namespace smartq;
using namespace std::chrono_literals;

TEST_CASE("counts take the plural their number needs") {
    CHECK(daemon::count_of(0, "attachment", "attachments") == "0 attachments");
    CHECK(daemon::count_of(1, "attachment", "attachments") == "1 attachment");
    CHECK(daemon::count_of(2, "entry", "entries") == "2 entries");
}

TEST_CASE("durations read as hours and minutes, minutes and seconds, or seconds") {
    CHECK(daemon::human_duration(0s) == "0s");
    CHECK(daemon::human_duration(59s) == "59s");
    CHECK(daemon::human_duration(65s) == "1m 05s");
    CHECK(daemon::human_duration(3h + 2min + 9s) == "3h 02m");
    CHECK(daemon::with_zone("2026-12-02 05:00:00") == "2026-12-02 05:00:00 UTC");
}

TEST_CASE("a run's changes and first problem") {
    store::RunInfo run;
    run.records["tickets"] = {3, 1, 10, 2};
    run.records["users"] = {1, 0, 4, 0};
    CHECK(daemon::change_counts(run) == "+4 ~1 -2");
    CHECK(daemon::total_records(run) == 19);
    CHECK(daemon::first_problem(run) == "");
    run.error = "ticket 7 refused";
    CHECK(daemon::first_problem(run) == "ticket 7 refused");
    run.problems = {"ticket 7 refused"};
    CHECK(daemon::first_problem(run) == "ticket 7 refused");
    run.problems.push_back("project 2 refused");
    run.problems.push_back("ticket 9 refused");
    CHECK(daemon::first_problem(run) == "ticket 7 refused (and 2 more)");
    run.started_at = "2026-12-02 05:00:00";
    CHECK_FALSE(daemon::run_duration(run).has_value());
    run.ended_at = "2026-12-02 05:01:05";
    CHECK(daemon::run_duration(run) == 65s);
}
