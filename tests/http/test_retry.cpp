#include <doctest/doctest.h>

#include <chrono>

#include "sync/http/retry.hpp"

using namespace std::chrono_literals;
using smartq::http::backoff_delay;
using smartq::http::parse_retry_after;
using smartq::http::RetryPolicy;

TEST_CASE("backoff_delay: full jitter under an exponential ceiling capped by max_delay") {
    RetryPolicy policy;
    policy.base_delay = 100ms;
    policy.max_delay = 1000ms;
    std::mt19937_64 random(42);
    for (int failures = 1; failures <= 40; ++failures) {
        auto ceiling = std::min<std::int64_t>(1000, 100LL << std::min(failures - 1, 30));
        for (int i = 0; i < 50; ++i) {
            auto delay = backoff_delay(policy, failures, random);
            CHECK(delay.count() >= 0);
            CHECK(delay.count() <= ceiling);
        }
    }
    // Jitter: the delays of one step are not all equal.
    auto first = backoff_delay(policy, 5, random);
    bool varied = false;
    for (int i = 0; i < 20 && !varied; ++i) {
        varied = backoff_delay(policy, 5, random) != first;
    }
    CHECK(varied);
}

TEST_CASE("parse_retry_after: delay-seconds and HTTP dates") {
    auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37
    CHECK(parse_retry_after("1", now) == 1000ms);
    CHECK(parse_retry_after(" 120 ", now) == 120000ms);
    CHECK(parse_retry_after("0", now) == 0ms);
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now) == 30000ms);
    CHECK(parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now) == 0ms);
}

TEST_CASE("parse_retry_after: garbage is not a delay") {
    auto now = std::chrono::system_clock::now();
    CHECK_FALSE(parse_retry_after("", now));
    CHECK_FALSE(parse_retry_after("-5", now));
    CHECK_FALSE(parse_retry_after("soon", now));
    CHECK_FALSE(parse_retry_after("1.5", now));
    CHECK_FALSE(parse_retry_after("Sun, 06 Nov 1994 08:50:07", now));
}
