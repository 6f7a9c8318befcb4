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

TEST_CASE("parse_duration reads systemd.time(7) spans") {
    CHECK(parse_duration("15min") == 15min);
    CHECK(parse_duration("1h 30m") == 90min);
    CHECK(parse_duration("1h 30min") == 90min);
    CHECK(parse_duration("2 days") == 48h);
    CHECK(parse_duration("1 day") == 24h);
    CHECK(parse_duration("3 hours 2 minutes 1 second") == 3h + 2min + 1s);
    CHECK(parse_duration("45sec") == 45s);
    CHECK(parse_duration("2hr") == 2h);
    CHECK(parse_duration("2 weeks") == 336h);
    // systemd adds groups in any order, and ignores spaces around the span.
    CHECK(parse_duration("30m 1h") == 90min);
    CHECK(parse_duration(" 5m ") == 5min);
}

TEST_CASE("parse_duration refuses junk, zero, negative and overflow") {
    for (const char* junk : {"",
                             "  ",
                             "15",
                             "m",
                             "15x",
                             "-5m",
                             "+5m",
                             "1.5h",
                             "5mm",
                             "5 m x",
                             "5m,3s",
                             "0s",
                             "0h0m",
                             "15M",
                             "1 month",
                             "2 Days",
                             "1y",
                             "5ms",
                             "99999999999999999999s",
                             "9999999999999999w",
                             "1000000000000000000s 1000000000000000000w"}) {
        CAPTURE(junk);
        CHECK_THROWS_AS(parse_duration(junk), std::invalid_argument);
    }
}

TEST_CASE("parse_duration's message quotes the text and shows the form") {
    CHECK_THROWS_WITH(parse_duration("15x"), doctest::Contains("'15x' is not a duration"));
    CHECK_THROWS_WITH(parse_duration("15x"), doctest::Contains("'x' is not a unit"));
    CHECK_THROWS_WITH(parse_duration("0s"), doctest::Contains("longer than zero"));
    CHECK_THROWS_WITH(parse_duration("15"), doctest::Contains("needs a unit"));
}
