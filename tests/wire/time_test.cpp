#include <doctest/doctest.h>

#include "sync/wire/time.hpp"

using namespace smartq::wire;

TEST_CASE("parse_time reads smartQ and ISO 8601 forms as UTC") {
    auto t = parse_time("2024-05-01 10:20:30");
    REQUIRE(t);
    CHECK(format_time(*t) == "2024-05-01 10:20:30");
    CHECK(parse_time("2024-05-01T10:20:30Z") == t);
    CHECK(parse_time("2024-05-01T12:20:30+02:00") == t);
    CHECK(parse_time("2024-05-01T10:20:30.123Z") == t);
    CHECK(format_time(*parse_time("2024-05-01")) == "2024-05-01 00:00:00");
    CHECK(format_time(*parse_time("2024-05-01 10:20")) == "2024-05-01 10:20:00");
}

TEST_CASE("parse_time rejects junk") {
    for (auto bad : {"", "yesterday", "2024-13-01", "2024-02-30", "2024-05-01 25:00:00",
                     "2024-05-01 10:20:30 junk", "2024-05-01X10:20:30"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_time(bad));
    }
}
