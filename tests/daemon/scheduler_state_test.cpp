#include <doctest/doctest.h>
#include <unistd.h>

#include <fstream>

#include "daemon/scheduler_state.hpp"
#include "support/temp_dir.hpp"

using namespace smartq;
using namespace std::chrono_literals;

TEST_CASE("UTC text round-trips and refuses anything else") {
    auto time = std::chrono::system_clock::from_time_t(1700000000);
    CHECK(daemon::utc_text(time) == "2023-11-14 22:13:20");
    CHECK(daemon::parse_utc_text("2023-11-14 22:13:20") == time);
    for (const char* bad : {"", "2023-11-14", "2023-11-14T22:13:20Z", "2023-11-14 22:13:20x",
                            "yesterday", "2023-11-14 22:13"}) {
        CAPTURE(bad);
        CHECK_FALSE(daemon::parse_utc_text(bad).has_value());
    }
}

TEST_CASE("the scheduled run is written by this process and read back") {
    test::TempDir dir;
    auto when = std::chrono::system_clock::from_time_t(1700000000);
    daemon::write_scheduled_run(dir / "acme", when);
    auto read = daemon::read_scheduled_run(dir / "acme");
    REQUIRE(read.has_value());
    CHECK(read->next_run == "2023-11-14 22:13:20");
    CHECK(read->pid == ::getpid());
    daemon::remove_scheduled_run(dir / "acme");
    CHECK_FALSE(daemon::read_scheduled_run(dir / "acme").has_value());
}

TEST_CASE("a schedule left by a daemon that is gone, or a damaged one, is ignored") {
    test::TempDir dir;
    auto write = [&](const std::string& text) {
        std::ofstream(daemon::schedule_file(dir.path())) << text;
    };
    write("next_run=2023-11-14 22:13:20\npid=" + std::to_string(::getpid()) + "\n");
    CHECK(daemon::read_scheduled_run(dir.path()).has_value());
    // pid_max is at most 2^22 on Linux: this pid cannot run.
    write("next_run=2023-11-14 22:13:20\npid=99999999\n");
    CHECK_FALSE(daemon::read_scheduled_run(dir.path()).has_value());
    write("next_run=soon\npid=" + std::to_string(::getpid()) + "\n");
    CHECK_FALSE(daemon::read_scheduled_run(dir.path()).has_value());
    write("next_run=2023-11-14 22:13:20\n");
    CHECK_FALSE(daemon::read_scheduled_run(dir.path()).has_value());
    write("garbage");
    CHECK_FALSE(daemon::read_scheduled_run(dir.path()).has_value());
}
