#include "store/stored_bodies.hpp"

namespace smartq::store {

std::vector<StoredBody> stored_bodies(Replica& replica) {
    auto result =
        replica.query("SELECT sha256, id, name FROM files WHERE sha256 IS NOT NULL ORDER BY id");
    std::vector<StoredBody> bodies;
    bodies.reserve(result.rows.size());
    for (const auto& row : result.rows) {
        const auto* id = std::get_if<std::int64_t>(&row[1]);
        bodies.push_back({as_text(row[0]), id ? *id : 0, as_text(row[2])});
    }
    return bodies;
}

}  // namespace smartq::store
