#include "config/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace smartq::config {
namespace {

struct Unit {
    std::string_view name;
    std::int64_t seconds;
};

// The spellings of systemd.time(7) from seconds to weeks. Months and years
// are left out: "M" next to "m" is a trap, and no interval here is that long.
constexpr std::array<Unit, 18> units{{{"s", 1},
                                      {"sec", 1},
                                      {"second", 1},
                                      {"seconds", 1},
                                      {"m", 60},
                                      {"min", 60},
                                      {"minute", 60},
                                      {"minutes", 60},
                                      {"h", 3600},
                                      {"hr", 3600},
                                      {"hour", 3600},
                                      {"hours", 3600},
                                      {"d", 86400},
                                      {"day", 86400},
                                      {"days", 86400},
                                      {"w", 604800},
                                      {"week", 604800},
                                      {"weeks", 604800}}};

[[noreturn]] void reject(std::string_view text, std::string_view why) {
    throw std::invalid_argument("'" + std::string(text) + "' is not a duration (" +
                                std::string(why) +
                                "; write e.g. \"90s\", \"15min\", \"1h 30m\", \"2 days\")");
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

bool is_letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Reads the characters of one class from `pos` on.
std::string_view take(std::string_view text, std::size_t& pos, bool (*in_class)(char)) {
    auto start = pos;
    while (pos < text.size() && in_class(text[pos]))
        ++pos;
    return text.substr(start, pos - start);
}

void skip_spaces(std::string_view text, std::size_t& pos) {
    take(text, pos, [](char c) { return c == ' ' || c == '\t'; });
}

}  // namespace

std::chrono::seconds parse_duration(std::string_view text) {
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    std::int64_t total = 0;
    std::size_t pos = 0;
    skip_spaces(text, pos);
    if (pos == text.size())
        reject(text, "it is empty");
    while (pos < text.size()) {
        auto digits = take(text, pos, is_digit);
        if (digits.empty())
            reject(text, "expected a number");
        std::int64_t number = 0;
        for (char c : digits) {
            if (number > (max - (c - '0')) / 10)
                reject(text, "it is too long");
            number = number * 10 + (c - '0');
        }
        skip_spaces(text, pos);
        auto name = take(text, pos, is_letter);
        if (name.empty())
            reject(text, "a number needs a unit: s, min, h, d or w");
        const Unit* unit = nullptr;
        for (const auto& candidate : units) {
            if (candidate.name == name)
                unit = &candidate;
        }
        if (!unit)
            reject(text, "'" + std::string(name) + "' is not a unit; use s, min, h, d or w");
        if (number > (max - total) / unit->seconds)
            reject(text, "it is too long");
        total += number * unit->seconds;
        skip_spaces(text, pos);
    }
    if (total == 0)
        reject(text, "it must be longer than zero");
    return std::chrono::seconds(total);
}

}  // namespace smartq::config
