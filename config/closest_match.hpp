#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace smartq::config {

// The candidate nearest to WORD by edit distance, if one is near enough to be
// what the user meant ("pasword_file" -> "password_file").
std::optional<std::string_view> closest_match(std::string_view word,
                                              std::span<const std::string_view> candidates);

}  // namespace smartq::config
