#include "store/state_prefix.hpp"

#include <fmt/format.h>

namespace smartq::store {

namespace {

std::string quote_text(std::string_view text) {
    std::string quoted = "'";
    for (char c : text) {
        quoted += c;
        if (c == '\'')
            quoted += '\'';
    }
    return quoted + "'";
}

}  // namespace

std::map<std::string, std::string> states_with_prefix(Replica& replica, std::string_view prefix) {
    // substr, not LIKE: '_' in a prefix is a wildcard to LIKE.
    auto rows = replica.query(fmt::format(
        "SELECT substr(key, {0}), value FROM _sync_state WHERE substr(key, 1, {1}) = {2}",
        prefix.size() + 1, prefix.size(), quote_text(prefix)));
    std::map<std::string, std::string> states;
    for (const auto& row : rows.rows)
        states.emplace(as_text(row[0]), as_text(row[1]));
    return states;
}

}  // namespace smartq::store
