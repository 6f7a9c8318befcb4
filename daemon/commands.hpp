// The subcommands of smartq-backup. Each returns its exit code; failures are
// thrown and turned into a sentence and a code by main().
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace smartq::daemon {

struct SyncArgs {
    std::vector<std::string> accounts;  // empty: all
    bool deep = false;
    bool no_files = false;
    bool confirm_deletions = false;
};

struct QueryArgs {
    std::string account;
    std::string format = "table";
    std::string sql;
};

struct StatusArgs {
    std::string account;
    bool json = false;
};

int run_sync(const config::Config& config, const SyncArgs& args);
int run_query(const config::Config& config, const QueryArgs& args);
int run_status(const config::Config& config, const StatusArgs& args);

// The accounts a command works on: those named, or all; throws ConfigError
// for an unknown name.
std::vector<const config::AccountConfig*> select_accounts(const config::Config& config,
                                                          const std::vector<std::string>& names);
// The one account a command works on: the named one, or the only one.
const config::AccountConfig& single_account(const config::Config& config, const std::string& name);

}  // namespace smartq::daemon
