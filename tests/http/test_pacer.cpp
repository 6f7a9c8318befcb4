// The pacer's arithmetic on a fake clock: what a rate limit does to the rate, the
// window and the pause, and how successes undo it.
#include <doctest/doctest.h>

#include "sync/http/pacer.hpp"

using namespace smartq::http;
using namespace std::chrono_literals;

namespace {

struct FakeClock {
    PaceClock::time_point now = PaceClock::time_point{} + 1000s;
    void advance(PaceClock::duration by) { now += by; }
};

PacerOptions eight_in_flight() {
    PacerOptions options;
    options.max_in_flight = 8;
    return options;
}

// Sends and answers `count` requests as fast as the state allows, all successes.
void succeed(PaceState& state, FakeClock& clock, int count) {
    for (int i = 0; i < count; ++i) {
        clock.now = state.earliest_send(clock.now);
        state.sent(clock.now);
        state.succeeded(clock.now);
        state.finished();
    }
}

double seconds(PaceClock::duration d) {
    return std::chrono::duration<double>(d).count();
}

}  // namespace

TEST_CASE("pacer: without a limit nothing waits and the window is max_in_flight") {
    FakeClock clock;
    PaceState state(eight_in_flight());
    CHECK_FALSE(state.rate());
    for (int i = 0; i < 8; ++i) {
        REQUIRE(state.has_room());
        CHECK(state.earliest_send(clock.now) == clock.now);
        state.sent(clock.now);
    }
    CHECK_FALSE(state.has_room());
    state.finished();
    CHECK(state.has_room());
}

TEST_CASE("pacer: a configured rate_limit spaces the requests from the first one") {
    FakeClock clock;
    auto options = eight_in_flight();
    options.rate_limit = 4;
    PaceState state(options);
    auto first = clock.now;
    succeed(state, clock, 5);
    // Five requests at 4/s: the fifth leaves one second after the first, less the
    // 50 ms of credit the first one had.
    CHECK(seconds(clock.now - first) == doctest::Approx(0.95));
    succeed(state, clock, 1000);
    CHECK(*state.rate() == doctest::Approx(4.0));  // successes never lift it over the ceiling
}

TEST_CASE("pacer: a 429 sets the rate under what the server let through and pauses everyone") {
    FakeClock clock;
    PaceState state(eight_in_flight());
    succeed(state, clock, 10);  // ten answered in the same instant: the server's window
    auto sent_at = clock.now;
    state.sent(clock.now);
    clock.advance(5ms);
    state.rate_limited(clock.now, sent_at, 1s, 0.5);
    state.finished();
    REQUIRE(state.rate());
    CHECK(*state.rate() == doctest::Approx(9.0));  // 0.9 x the 10 let through
    CHECK(state.window() == 4);
    // Retry-After plus half of the tenth of it that jitter may add.
    CHECK(seconds(state.paused_until() - clock.now) == doctest::Approx(1.05));
    CHECK(state.earliest_send(clock.now) == state.paused_until());
}

TEST_CASE("pacer: the 429s of one slow-down cut once, a later one cuts again") {
    FakeClock clock;
    PaceState state(eight_in_flight());
    succeed(state, clock, 20);
    auto before_cut = clock.now;
    for (int i = 0; i < 4; ++i) {
        state.sent(clock.now);
    }
    clock.advance(1ms);
    for (int i = 0; i < 4; ++i) {
        state.rate_limited(clock.now, before_cut, 1s, 0);
        state.finished();
    }
    CHECK(*state.rate() == doctest::Approx(18.0));
    CHECK(state.window() == 4);
    clock.now = state.earliest_send(clock.now);
    auto after_cut = clock.now;
    state.sent(clock.now);
    clock.advance(1ms);
    state.rate_limited(clock.now, after_cut, 1s, 0);
    state.finished();
    // Nothing succeeded in the last second: the rate falls from where it was.
    CHECK(*state.rate() == doctest::Approx(18.0 * 0.9));
    CHECK(state.window() == 2);
}

TEST_CASE("pacer: after a cut requests leave one interval apart, and successes climb back") {
    FakeClock clock;
    PaceState state(eight_in_flight());
    succeed(state, clock, 10);
    state.sent(clock.now);
    state.rate_limited(clock.now, clock.now, 0ms, 0);
    state.finished();
    auto first = clock.now = state.earliest_send(clock.now);
    succeed(state, clock, 10);
    // Ten sends at about 9/s: nine intervals of about 1/9 s (the rate grows a little),
    // less the 50 ms of credit.
    CHECK(seconds(clock.now - first) == doctest::Approx(0.95).epsilon(0.02));
    auto climbed_from = *state.rate();
    succeed(state, clock, 100);
    CHECK(*state.rate() > climbed_from + 0.9);
    CHECK(state.window() == 8);  // the window is whole again long before the rate
}

TEST_CASE("pacer: credit for unused slots is bounded: a second never holds much over the rate") {
    FakeClock clock;
    auto options = eight_in_flight();
    options.rate_limit = 100;
    PaceState state(options);
    state.sent(clock.now);
    clock.advance(10s);  // idle: a second's worth of slots went unused
    auto start = clock.now;
    int sent_in_a_second = 0;
    while (state.earliest_send(clock.now) < start + 1s) {
        clock.now = state.earliest_send(clock.now);
        state.sent(clock.now);
        ++sent_in_a_second;
    }
    CHECK(sent_in_a_second == 105);  // 100 a second and 5 (50 ms) of credit
}

TEST_CASE("pacer: the pause never exceeds max_retry_after, and a missing Retry-After is 1 s") {
    FakeClock clock;
    auto options = eight_in_flight();
    options.max_retry_after = 5s;
    PaceState state(options);
    state.sent(clock.now);
    state.rate_limited(clock.now, clock.now, 3600s, 0);
    CHECK(state.paused_until() - clock.now == 5s);
    PaceState plain(eight_in_flight());
    plain.sent(clock.now);
    plain.rate_limited(clock.now, clock.now, std::nullopt, 0);
    CHECK(plain.paused_until() - clock.now == 1s);
}

TEST_CASE("pacer: a hostile server cannot stop the client, only slow it to the floor") {
    FakeClock clock;
    PaceState state(eight_in_flight());
    for (int i = 0; i < 50; ++i) {
        clock.now = state.earliest_send(clock.now);
        state.sent(clock.now);
        state.rate_limited(clock.now, clock.now, 0ms, 0);
        state.finished();
    }
    CHECK(*state.rate() == doctest::Approx(0.5));
    CHECK(state.window() == 1);
}

TEST_CASE("pacer: an overloaded server halves the window once a slow-down, never the rate") {
    FakeClock clock;
    PaceState state(eight_in_flight());
    auto sent_at = clock.now;
    state.sent(clock.now);
    state.sent(clock.now);
    clock.advance(1ms);
    state.overloaded(clock.now, sent_at);
    state.overloaded(clock.now, sent_at);
    CHECK(state.window() == 4);
    CHECK_FALSE(state.rate());
}
