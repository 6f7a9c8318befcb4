// The offline health check of one account's backup: the replica's SQLite
// integrity and foreign keys, and every stored file body against its sha256.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace smartq::sync::verify {

struct ReplicaHealth {
    std::vector<std::string> problems;  // damage: each one sentence
    std::vector<std::string> notices;   // harmless: blobs no file row refers to
    std::size_t bodies_checked = 0;     // distinct blobs re-hashed
    bool healthy() const { return problems.empty(); }
};

// Never writes to the replica. File rows of deleted objects count too: the
// backup keeps their bodies. A ticket whose "children stored" mark vouches for more notes,
// tasks or files than the replica holds is a problem.
ReplicaHealth check_replica(const std::filesystem::path& db, const std::filesystem::path& blobs);

}  // namespace smartq::sync::verify
