// Reading the verification's rows out of a replica: values as numbers and
// text, and the labels its sentences name objects by.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/replica.hpp"
#include "sync/verify/canonical.hpp"

namespace smartq::sync::verify {

using Rows = std::vector<std::vector<store::Value>>;

std::int64_t integer(const store::Value& value);
Rows select(store::Replica& replica, const std::string& sql);
std::string id_list(const std::vector<std::int64_t>& ids);
// `ticket "Fix login"`: a noun and the shown value of one of the object's fields.
std::string named(std::string_view noun, const Fields& fields, std::string_view field);
std::string sorted_joined(std::vector<std::string> items);

}  // namespace smartq::sync::verify
