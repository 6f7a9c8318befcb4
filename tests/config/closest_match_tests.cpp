#include <doctest/doctest.h>

#include <array>

#include "config/closest_match.hpp"

using smartq::config::closest_match;

namespace {
constexpr std::array<std::string_view, 4> keys{"password_file", "password_env", "interval", "url"};
}

TEST_CASE("closest_match suggests the key one typo away") {
    CHECK(closest_match("pasword_file", keys) == "password_file");
    CHECK(closest_match("intervall", keys) == "interval");
    CHECK(closest_match("ulr", keys) == "url");
}

TEST_CASE("closest_match suggests nothing for an unrelated word") {
    CHECK_FALSE(closest_match("colour", keys).has_value());
    CHECK_FALSE(closest_match("x", std::span<const std::string_view>{}).has_value());
}
