// The restore id map's reverse question, beside Replica::mapped_key and map_key: whether some
// source object already became a given object of the target.
#pragma once

#include <string_view>

#include "store/replica.hpp"

namespace smartq::store {

// True when an object of `resource` maps to `new_key` in account `target` (a "pending" mark is
// no target key, since no target key can be "pending").
bool target_key_taken(Replica& replica, std::string_view target, std::string_view resource,
                      std::string_view new_key);

}  // namespace smartq::store
