// The replica's tables as the resource table (resources.hpp) declares them, for the code
// that opens a replica and needs nothing else of the table.
#pragma once

#include <span>

#include "store/table_spec.hpp"

namespace smartq::sync {

// Table specs of every resource, in dependency order, for Replica::open.
std::span<const store::TableSpec> table_specs();

}  // namespace smartq::sync
