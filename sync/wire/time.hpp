// smartQ timestamps are "YYYY-MM-DD HH:MM:SS" with no zone stated; we treat
// them as UTC, and accept ISO 8601 instants from users.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace smartq::wire {

using Seconds = std::chrono::sys_seconds;

// "2024-05-01 10:00:00", "2024-05-01T10:00:00", "...Z", "...+02:00", "2024-05-01".
std::optional<Seconds> parse_time(std::string_view text);

// "YYYY-MM-DD HH:MM:SS" in UTC.
std::string format_time(Seconds t);

Seconds now_seconds();

}  // namespace smartq::wire
