// What a restore (and its verification) covers: the whole account, some
// projects, or some tickets, as the replica knew them now or at a past time.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace smartq::sync::restore {

struct Scope {
    std::vector<std::int64_t> projects;  // source project ids; empty with tickets empty: all
    std::vector<std::int64_t> tickets;   // source ticket ids (their project comes along)
    std::string at;                      // 'YYYY-MM-DD HH:MM:SS' UTC; empty: the latest state

    bool whole_account() const { return projects.empty() && tickets.empty(); }
};

}  // namespace smartq::sync::restore
