// The subcommands of smartq-backup. Each returns its exit code; failures are
// thrown and turned into a sentence and a code by main().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace CLI {
class App;
}

namespace smartq::daemon {

struct SyncArgs {
    std::vector<std::string> accounts;  // empty: all
    bool deep = false;
    bool no_files = false;
    bool confirm_deletions = false;
    bool json = false;  // one JSON document on stdout, logs stay on stderr
};

struct QueryArgs {
    std::string account;
    std::string format = "table";
    std::string at;  // TIME: the resource tables show the account as it was then
    std::string sql;
};

struct DaemonArgs {
    std::vector<std::string> accounts;  // empty: all
};

struct RestoreArgs {
    std::string from, to;
    std::vector<std::int64_t> projects, tickets;
    std::string at;  // TIME; empty: the latest state
    bool dry_run = false;
    bool into_source = false;
    bool annotate_authors = false;
    std::string user_password_file, passwords_out;
    bool json = false;  // the report as one JSON document on stdout
};

struct StatusArgs {
    std::vector<std::string> accounts;  // empty: all
    bool json = false;
    bool check = false;   // a monitoring check: exit 1 when an account is unhealthy
    std::string max_age;  // with check: a duration; empty: twice the account's interval
};

struct RunsArgs {
    std::string account;
    std::size_t limit = 20;
    bool json = false;
};

struct DiffArgs {
    std::string account;
    std::int64_t from = 0, to = 0;  // run ids; from < to
    bool json = false;
};

struct VerifyArgs {
    std::string account;  // empty: all
    bool drill = false;   // restore into an empty sandbox and compare
    bool json = false;    // one JSON document on stdout
};

// restic's forget: which runs, history versions and change rows to keep.
struct ForgetArgs {
    std::vector<std::string> accounts;  // empty: all
    std::size_t keep_last = 0, keep_daily = 0, keep_weekly = 0, keep_monthly = 0;
    std::string keep_within;  // a duration; empty: none
    bool dry_run = false;
    bool json = false;
};

struct PruneArgs {
    std::vector<std::string> accounts;  // empty: all
    bool dry_run = false;
    bool json = false;
};

// Subcommands that add themselves to `app`; what each returns runs it once the configuration
// is loaded, or gives nullopt when the command line chose another subcommand.
std::function<std::optional<int>(const config::Config&)> add_export_command(CLI::App& app);
std::function<std::optional<int>(const config::Config&)> add_serve_command(CLI::App& app);

int run_query(const config::Config& config, const QueryArgs& args);
// With --check: exit 1 when an account's last run failed or its last success is too old.
int run_status(const config::Config& config, const StatusArgs& args);
int run_runs(const config::Config& config, const RunsArgs& args);
int run_diff(const config::Config& config, const DiffArgs& args);
// Exit 65 when a replica is damaged, a body is missing or corrupt, or a drill differs.
int run_verify(const config::Config& config, const VerifyArgs& args);
// Exit 65 when the verification finds a difference, 75 when objects failed;
// 130 after SIGINT, 143 after SIGTERM, with every write so far in the id map.
int run_restore(const config::Config& config, const RestoreArgs& args);
// Never touches the current state of an object; exit 64 without a policy.
int run_forget(const config::Config& config, const ForgetArgs& args);
// Removes the attachment bodies no file row references.
int run_prune(const config::Config& config, const PruneArgs& args);
// Exit 130 after SIGINT, 143 after SIGTERM, once what was fetched is committed.
int run_sync(const config::Config& config, const SyncArgs& args);
// Runs until SIGTERM or SIGINT (exit 0); on SIGHUP calls `reload` for the new
// configuration and keeps the old one when it throws.
int run_daemon(const config::Config& config, const DaemonArgs& args,
               const std::function<config::Config()>& reload);

// The accounts a command works on: those named, or all; throws ConfigError
// for an unknown name.
std::vector<const config::AccountConfig*> select_accounts(const config::Config& config,
                                                          const std::vector<std::string>& names);
// The one account a command works on: the named one, or the only one.
const config::AccountConfig& single_account(const config::Config& config, const std::string& name);

}  // namespace smartq::daemon
