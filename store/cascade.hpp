// Children of a tombstoned parent are gone too: the source will not list them again, so no
// sweep would find them. Which table is whose parent is what the schema already declares:
// the columns of a table that reference another (ColumnSpec::references) hold its key.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include "store/replica.hpp"

namespace smartq::store {

// Tombstones, in one write unit, every live row whose parent row is tombstoned, following the
// references of `specs` in their order (so that a deleted project takes its tickets, and
// those their notes, in one call). Returns how many rows were marked, by resource.
std::map<std::string, std::int64_t> cascade_tombstones(Replica& replica,
                                                       std::span<const TableSpec> specs,
                                                       RunId run);

}  // namespace smartq::store
