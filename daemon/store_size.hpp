// How much disk an account's backup takes, for the replica and blob gauges.
#pragma once

#include <cstdint>

#include "config/config.hpp"

namespace smartq::daemon {

struct StoreSize {
    std::uint64_t replica_bytes = 0;  // the SQLite file and its write-ahead log
    std::uint64_t blob_bytes = 0;     // committed attachment bodies, not temp files
};

// Sizes on disk now; a missing replica or blob directory counts as 0 bytes.
// Never throws: a file that vanishes while being counted is skipped.
StoreSize measure_store(const config::AccountConfig& account);

}  // namespace smartq::daemon
