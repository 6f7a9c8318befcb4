// Beside the pages, every table for other tools: <dir>/<table>.jsonl (one
// object a row; `data` as the nested object it is) and <dir>/<table>.csv
// (RFC 4180, a header row, `data` as JSON text).
#pragma once

#include <cstdint>
#include <filesystem>

#include "store/read_model.hpp"

namespace smartq::view {

// Writes both files of every table of the model's dump; returns the rows written. Rows are
// streamed: memory does not grow with the table.
std::uint64_t dump_tables(store::ReadModel& model, const std::filesystem::path& dir);

}  // namespace smartq::view
