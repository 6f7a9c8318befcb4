// Sync state kept under one prefix of its key ("page_cap/..."): read back together at the
// start of a run.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "store/replica.hpp"

namespace smartq::store {

// Each state whose key starts with `prefix`, by the rest of its key.
std::map<std::string, std::string> states_with_prefix(Replica& replica, std::string_view prefix);

}  // namespace smartq::store
