// The admin API under /__admin/: health, stats, reset, mutate, dump, compare,
// faults and wire options. Plain JSON, no authentication, never faulted.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "server_state.hpp"

namespace smartq::sandbox {

struct AdminRequest {
    std::string method;
    std::vector<std::string> path;  // segments after /__admin
    std::multimap<std::string, std::string> query;
    std::string body;
};

struct AdminResponse {
    unsigned status = 200;
    std::string body;  // JSON; errors are {"error":"sentence"}
};

// One line per route for --help.
extern const char* const admin_help;

AdminResponse handle_admin(ServerState& state, const AdminRequest& request);

}  // namespace smartq::sandbox
