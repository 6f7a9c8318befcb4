// Splitting and decoding a request target ("/api/v1/projects/12?count=5"),
// kept apart from Beast so that it can be tested on its own.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace smartq::sandbox {

struct Target {
    std::string_view path;   // up to '?', still encoded
    std::string_view query;  // after '?', still encoded; empty without one
};

Target split_target(std::string_view target);

// %XX escapes decoded; unlike a form, '+' stays a '+' (paths, RFC 5987 values).
std::string percent_decode(std::string_view text);

// "/projects/a%2Fb/tickets/" -> {"projects","a/b","tickets"}: decoded, empty
// segments (doubled or trailing slashes) dropped.
std::vector<std::string> path_segments(std::string_view path);

// Removes `prefix` ("/api/v1") from `path` if the path is the prefix itself or
// below it; "/api/v10" is not below "/api/v1" and stays as it is.
bool strip_prefix(std::string_view& path, std::string_view prefix);

}  // namespace smartq::sandbox
