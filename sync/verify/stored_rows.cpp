#include "sync/verify/stored_rows.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "sync/verify/object_diff.hpp"

namespace smartq::sync::verify {
using store::Value;

std::int64_t integer(const Value& value) {
    if (const auto* number = std::get_if<std::int64_t>(&value))
        return *number;
    return 0;
}

std::string named(std::string_view noun, const Fields& fields, std::string_view field) {
    auto found = fields.find(std::string(field));
    return fmt::format("{} {}", noun, shown(found == fields.end() ? "" : found->second));
}

std::string sorted_joined(std::vector<std::string> items) {
    std::sort(items.begin(), items.end());
    return fmt::format("{}", fmt::join(items, ", "));
}

}  // namespace smartq::sync::verify
