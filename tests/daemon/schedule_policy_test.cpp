#include <doctest/doctest.h>

#include "daemon/scheduler.hpp"
#include "support/temp_dir.hpp"

using namespace smartq;
using namespace std::chrono_literals;
using daemon::backoff_delay;
using daemon::deep_due;
using daemon::jitter_cap;

TEST_CASE("jitter is a tenth of the interval, at most 30 seconds") {
    CHECK(jitter_cap(1s) == 100ms);
    CHECK(jitter_cap(900s) == 30s);
    CHECK(jitter_cap(200s) == 20s);
}

TEST_CASE("back-off starts at min(30 s, interval), doubles and stops at the interval") {
    CHECK(backoff_delay(900s, 1) == 30s);
    CHECK(backoff_delay(900s, 2) == 60s);
    CHECK(backoff_delay(900s, 3) == 120s);
    CHECK(backoff_delay(900s, 6) == 900s);
    CHECK(backoff_delay(900s, 1000) == 900s);
    CHECK(backoff_delay(1s, 1) == 1s);
    CHECK(backoff_delay(1s, 5) == 1s);
    CHECK(backoff_delay(45s, 2) == 45s);
}

TEST_CASE("a deep run is due without a previous one and once deep_every has passed") {
    auto now = std::chrono::system_clock::now();
    CHECK(deep_due(std::nullopt, now, 86400s));
    CHECK_FALSE(deep_due(now - 3600s, now, 86400s));
    CHECK(deep_due(now - 86400s, now, 86400s));
    CHECK(deep_due(now - 90000s, now, 86400s));
}

TEST_CASE("the last deep run of an account without a replica is unknown") {
    test::TempDir dir;
    config::AccountConfig account;
    account.name = "acme";
    account.data_dir = dir / "acme";
    CHECK_FALSE(daemon::last_deep_run(account).has_value());
}
