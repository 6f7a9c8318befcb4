// The oracle of the sync tests: is a replica an exact copy of a sandbox dump?
// Objects are compared after normalising the wire variations (ids as strings,
// 1/0 booleans), so one oracle serves every variation.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace smartq::test {

// Differences between the live rows of the replica and the dump, as sentences
// (empty: identical). With check_blobs, each file's sha256/size in the replica
// must match the dump and its blob must exist under blobs_dir with those bytes.
std::vector<std::string> replica_vs_dump(const std::filesystem::path& replica,
                                         const std::string& dump,
                                         const std::filesystem::path& blobs_dir, bool check_blobs);

// Canonical text of a JSON value: keys sorted, numeric strings as numbers,
// booleans as 0/1.
std::string canonical_json(std::string_view json);

}  // namespace smartq::test
