// smartq-backup search: ranked full-text hits over a replica's tickets and notes.
#pragma once

#include <functional>
#include <optional>

#include "config/config.hpp"

namespace CLI {
class App;
}

namespace smartq::daemon {

// Adds `search` to `app`. What it returns runs the search once the configuration is loaded, or
// gives nullopt when the command line chose another subcommand. A query that is not FTS5 syntax
// exits 64, as any other mistake in the command does.
std::function<std::optional<int>(const config::Config&)> add_search_command(CLI::App& app);

}  // namespace smartq::daemon
