// The verification's view of stored values: ids as numbers, and the labels
// its sentences name objects by.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/replica.hpp"
#include "sync/verify/canonical.hpp"

namespace smartq::sync::verify {

std::int64_t integer(const store::Value& value);
// `ticket "Fix login"`: a noun and the shown value of one of the object's fields.
std::string named(std::string_view noun, const Fields& fields, std::string_view field);
std::string sorted_joined(std::vector<std::string> items);

}  // namespace smartq::sync::verify
