#include <doctest/doctest.h>

#include <stdexcept>

#include "config/duration.hpp"

using smartq::config::parse_duration;
using namespace std::chrono_literals;

TEST_CASE("parse_duration reads each unit and combinations") {
    CHECK(parse_duration("90s") == 90s);
    CHECK(parse_duration("15m") == 15min);
    CHECK(parse_duration("1h30m") == 90min);
    CHECK(parse_duration("2d") == 48h);
    CHECK(parse_duration("1w") == 168h);
    CHECK(parse_duration("1w2d3h4m5s") == 1s * (604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5));
    CHECK(parse_duration("0h5m") == 5min);
}

TEST_CASE("parse_duration refuses junk, zero, negative and overflow") {
    for (const char* junk :
         {"", "15", "m", "15x", "-5m", "+5m", "5 m", " 5m", "5m ", "1.5h", "5mm", "1m1h", "1h1h",
          "0s", "0h0m", "15M", "99999999999999999999s", "9999999999999999w"}) {
        CAPTURE(junk);
        CHECK_THROWS_AS(parse_duration(junk), std::invalid_argument);
    }
}

TEST_CASE("parse_duration's message quotes the text and shows the form") {
    CHECK_THROWS_WITH(parse_duration("15x"), doctest::Contains("'15x' is not a duration"));
    CHECK_THROWS_WITH(parse_duration("0s"), doctest::Contains("longer than zero"));
}
