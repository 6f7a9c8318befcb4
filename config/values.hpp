#pragma once

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

}  // namespace smartq::config
