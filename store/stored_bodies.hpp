// The attachment bodies the replica vouches for: each file row whose body was downloaded and
// verified names it by its SHA-256 (files.sha256), which is its name in the blob store.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/replica.hpp"

namespace smartq::store {

struct StoredBody {
    std::string sha256;
    std::int64_t file_id = 0;
    std::string file_name;
};

// Every file row with a stored body, tombstoned ones too (their bodies are kept), by id.
std::vector<StoredBody> stored_bodies(Replica& replica);

}  // namespace smartq::store
