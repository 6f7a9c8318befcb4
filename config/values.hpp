#pragma once

#include <cstdint>
#include <string>
#include <string_view>

// Checks of single values. Each throws std::invalid_argument with a short
// problem statement; the caller adds where in the file the value was.
namespace smartq::config {

// "https://host[:port][/path]" without trailing slashes. Refuses other
// schemes, credentials in the URL, queries, fragments and a pasted API root.
std::string normalise_url(std::string_view url);

void check_account_name(std::string_view name);
void check_log_level(std::string_view level);

// "host:port" or "[v6]:port".
void check_listen_address(std::string_view address);

// "64MiB", "512KiB", "1GiB" or "1048576B": a size in 1KiB..4GiB, in bytes.
std::uint64_t parse_size(std::string_view text);

// Requests per second: more than zero, at most 100000.
void check_rate(double rate);

}  // namespace smartq::config
