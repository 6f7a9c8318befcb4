#include "config/duration.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace smartq::config {
namespace {

struct Unit {
    char letter;
    std::int64_t seconds;
};

// Largest first: the groups of a duration must follow this order.
constexpr std::array<Unit, 5> units{
    {{'w', 604800}, {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}}};

[[noreturn]] void reject(std::string_view text, std::string_view why) {
    throw std::invalid_argument("'" + std::string(text) + "' is not a duration (" +
                                std::string(why) +
                                "; write e.g. \"90s\", \"15m\", \"1h30m\", \"2d\")");
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

std::chrono::seconds parse_duration(std::string_view text) {
    if (text.empty()) {
        reject(text, "it is empty");
    }
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    std::int64_t total = 0;
    std::size_t next_unit = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        if (!is_digit(text[pos])) {
            reject(text, "expected a number");
        }
        std::int64_t number = 0;
        for (; pos < text.size() && is_digit(text[pos]); ++pos) {
            if (number > (max - (text[pos] - '0')) / 10) {
                reject(text, "it is too long");
            }
            number = number * 10 + (text[pos] - '0');
        }
        if (pos == text.size()) {
            reject(text, "a number needs a unit: w d h m s");
        }
        std::size_t unit = next_unit;
        while (unit < units.size() && units[unit].letter != text[pos]) {
            ++unit;
        }
        if (unit == units.size()) {
            reject(text, "units are w d h m s, each once, largest first");
        }
        if (number > (max - total) / units[unit].seconds) {
            reject(text, "it is too long");
        }
        total += number * units[unit].seconds;
        next_unit = unit + 1;
        ++pos;
    }
    if (total == 0) {
        reject(text, "it must be longer than zero");
    }
    return std::chrono::seconds(total);
}

}  // namespace smartq::config
