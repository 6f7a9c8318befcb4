#pragma once

#include <chrono>
#include <string_view>

namespace smartq::config {

// Parses "90s", "15m", "1h30m", "2d", "1w": one or more <number><unit>
// groups with units w d h m s, each at most once, largest first. Throws
// std::invalid_argument for anything else, and for a zero or overflowing total.
std::chrono::seconds parse_duration(std::string_view text);

}  // namespace smartq::config
