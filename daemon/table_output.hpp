// Query results as a text table, CSV (RFC 4180) or JSON (an array of objects).
#pragma once

#include <cstddef>
#include <ostream>
#include <string_view>

#include "store/replica.hpp"

namespace smartq::daemon {

enum class OutputFormat { Table, Csv, Json };
OutputFormat parse_output_format(std::string_view name);  // throws std::invalid_argument

// Terminal columns of UTF-8 text, by wcwidth(3): CJK and emoji take two,
// combining marks none, each invalid byte one.
std::size_t display_width(std::string_view text);

void print_result(std::ostream& out, const store::QueryResult& result, OutputFormat format);

}  // namespace smartq::daemon
