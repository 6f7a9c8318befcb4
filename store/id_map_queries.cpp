#include "store/id_map_queries.hpp"

#include <array>
#include <string>

namespace smartq::store {

bool target_key_taken(Replica& replica, std::string_view target, std::string_view resource,
                      std::string_view new_key) {
    std::array<Value, 3> params{std::string(target), std::string(resource), std::string(new_key)};
    return !replica
                .query(
                    "SELECT 1 FROM _id_map WHERE target = ?1 AND resource = ?2 AND new_key = ?3 "
                    "LIMIT 1",
                    params)
                .rows.empty();
}

}  // namespace smartq::store
