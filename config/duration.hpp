#pragma once

#include <chrono>
#include <string_view>

namespace smartq::config {

// Parses a time span as systemd.time(7) writes one, from seconds to weeks:
// "90s", "15m", "15min", "1h30m", "1h 30min", "2 days", "1w". Groups of
// <number> [spaces] <unit> in any order add up; units are s sec second(s),
// m min minute(s), h hr hour(s), d day(s), w week(s). Throws
// std::invalid_argument for anything else (a bare number, fractions, months),
// and for a zero or overflowing total.
std::chrono::seconds parse_duration(std::string_view text);

}  // namespace smartq::config
