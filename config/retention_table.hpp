#pragma once

#include <filesystem>
#include <optional>

#include "config/config.hpp"
#include "config/table_reader.hpp"

namespace smartq::config {

// The `retention` of PARENT (the top level or an account), else `inherited`.
// A [retention] table replaces the inherited one as a whole, so what it says
// is all that applies; `retention = false` switches the inherited one off. A
// table that names no run to keep is refused, as `forget` without a policy is.
std::optional<RetentionConfig> read_retention(const TableReader& parent,
                                              const std::optional<RetentionConfig>& inherited,
                                              const std::filesystem::path& file);

}  // namespace smartq::config
