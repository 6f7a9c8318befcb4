// smartq-backup: the command line of INTERFACE.md. Every failure ends here
// as one sentence and a sysexits code.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>
#include <vector>

#include "config/closest_match.hpp"
#include "config/config.hpp"
#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/logging.hpp"
#include "daemon/search_command.hpp"

#ifndef SMARTQ_VERSION
#define SMARTQ_VERSION "0.0.0"
#endif

namespace {
using namespace smartq;

struct GlobalArgs {
    std::string config_file;
    std::string data_dir;
    std::string log_level;
    int verbose = 0;
    bool quiet = false;

    // What the command line asks for, if anything: it beats the configuration.
    std::optional<std::string> level() const {
        if (!log_level.empty())
            return log_level;
        if (verbose > 0)
            return verbose == 1 ? "debug" : "trace";
        if (quiet)
            return "warn";
        return std::nullopt;
    }
};

// The global options that take a value, for finding the subcommand's word.
constexpr std::string_view kValueOptions[] = {"--config", "--data-dir", "--log-level"};

config::Config load(const GlobalArgs& args, const config::Environment& env) {
    config::Overrides overrides;
    if (!args.data_dir.empty())
        overrides.data_dir = args.data_dir;
    overrides.log_level = args.level();
    auto file = args.config_file.empty() ? config::default_config_path(env)
                                         : std::filesystem::path(args.config_file);
    return config::load_config(file, env, overrides);
}

// The first word that is neither an option nor a global option's value: what
// CLI11 takes for the subcommand.
std::optional<std::string_view> command_word(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--")
            return std::nullopt;
        if (!arg.starts_with("-"))
            return arg;
        if (std::find(std::begin(kValueOptions), std::end(kValueOptions), arg) !=
            std::end(kValueOptions))
            ++i;
    }
    return std::nullopt;
}

// "snyc" is a typo for "sync": say so, as git does, instead of CLI11's
// "the following arguments were not expected".
std::optional<std::string> unknown_command(const CLI::App& app, int argc, char** argv) {
    auto word = command_word(argc, argv);
    if (!word)
        return std::nullopt;
    std::vector<std::string> names;
    for (const auto* command : app.get_subcommands([](const CLI::App*) { return true; }))
        names.push_back(command->get_name());
    if (std::find(names.begin(), names.end(), *word) != names.end())
        return std::nullopt;
    std::vector<std::string_view> candidates(names.begin(), names.end());
    auto message = "'" + std::string(*word) + "' is not a smartq-backup command";
    if (auto near = config::closest_match(*word, candidates))
        message += "; did you mean '" + std::string(*near) + "'?";
    else
        message += "; see smartq-backup --help";
    return message;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"smartq-backup: offline sync and backup of smartQ accounts", "smartq-backup"};
    app.set_version_flag("--version", std::string("smartq-backup ") + SMARTQ_VERSION);
    // Every subcommand's options in one text: the man page is made from it.
    app.set_help_all_flag("--help-all", "print the help of every subcommand and exit");
    app.require_subcommand(1);
    // A usage error is one line, like every other failure, not CLI11's two.
    app.failure_message([](const CLI::App*, const CLI::Error& error) {
        return std::string("smartq-backup: ") + error.what() + "; see smartq-backup --help\n";
    });
    // Subcommands inherit this: the global options below work after the
    // subcommand too (`smartq-backup status --config F`).
    app.fallthrough();
    GlobalArgs global;
    app.add_option(
        "--config", global.config_file,
        "configuration file (default: $SMARTQ_BACKUP_CONFIG, else /etc/smartq-backup/config.toml)");
    app.add_option("--data-dir", global.data_dir, "override data_dir of the configuration");
    auto* level = app.add_option("--log-level", global.log_level,
                                 "trace, debug, info, warn, error, critical or off");
    auto* verbose = app.add_flag("-v,--verbose", global.verbose, "log more: -v debug, -vv trace")
                        ->excludes(level);
    app.add_flag("-q,--quiet", global.quiet, "log only warnings and errors")
        ->excludes(level)
        ->excludes(verbose);

    daemon::SyncArgs sync_args;
    auto* sync = app.add_subcommand("sync", "copy accounts into their replicas now");
    sync->add_option("--account", sync_args.accounts, "account to sync (repeatable; default: all)");
    sync->add_flag("--deep", sync_args.deep, "walk everything: find deletions and silent changes");
    sync->add_flag("--no-files", sync_args.no_files, "do not download attachment bodies");
    sync->add_flag("--confirm-deletions", sync_args.confirm_deletions,
                   "allow a run to mark most of a resource deleted");
    sync->add_flag("--json", sync_args.json, "print each account's run as JSON on stdout");

    daemon::DaemonArgs daemon_args;
    auto* daemon_command =
        app.add_subcommand("daemon", "keep accounts current on their schedule (the service)");
    daemon_command->add_option("--account", daemon_args.accounts,
                               "account to keep (repeatable; default: all)");

    daemon::RestoreArgs restore_args;
    auto* restore = app.add_subcommand(
        "restore", "rebuild data in an account from a replica by replaying POSTs");
    restore->add_option("--from", restore_args.from, "the account whose replica is the source")
        ->required();
    restore->add_option("--to", restore_args.to, "the configured account to restore into")
        ->required();
    restore->add_option("--project", restore_args.projects,
                        "restore this source project (repeatable)");
    restore->add_option("--ticket", restore_args.tickets,
                        "restore this source ticket (repeatable)");
    restore->add_option("--at", restore_args.at, "the state as of TIME (YYYY-MM-DD HH:MM:SS, UTC)");
    restore->add_flag("-n,--dry-run", restore_args.dry_run, "print the plan; send only GETs");
    restore->add_flag("--into-source", restore_args.into_source,
                      "allow restoring into the backed-up account (creates only what is missing)");
    restore->add_flag("--annotate-authors", restore_args.annotate_authors,
                      "prefix restored notes with their original author and time");
    restore->add_option("--user-password-file", restore_args.user_password_file,
                        "password for every new user (mode 0600)");
    restore->add_option("--passwords-out", restore_args.passwords_out,
                        "write generated user passwords here (created 0600)");
    restore->add_flag("--json", restore_args.json, "print the report as JSON on stdout");

    daemon::StatusArgs status_args;
    auto* status = app.add_subcommand("status", "show each account's last run");
    status->add_option("--account", status_args.accounts, "account (repeatable; default: all)");
    status->add_flag("--json", status_args.json, "machine-readable output");
    status->add_flag("--check", status_args.check,
                     "exit 1 unless every account's last run succeeded recently (for monitoring)");
    status->add_option("--max-age", status_args.max_age,
                       "with --check: the oldest a last success may be, e.g. 30min, 1h 30m, "
                       "2 days (default: twice the account's interval)");

    daemon::RunsArgs runs_args;
    auto* runs = app.add_subcommand("runs", "list an account's past runs, newest first");
    runs->add_option("--account", runs_args.account, "the account (default: the only one)");
    runs->add_option("--limit", runs_args.limit, "at most this many runs (default: 20)")
        ->check(CLI::PositiveNumber);
    runs->add_flag("--json", runs_args.json, "machine-readable output");

    daemon::DiffArgs diff_args;
    auto* diff = app.add_subcommand("diff", "what changed in the replica from one run to another");
    diff->add_option("--account", diff_args.account, "the account (default: the only one)");
    diff->add_option("RUN_A", diff_args.from, "the older run's id (see `runs`)")->required();
    diff->add_option("RUN_B", diff_args.to, "the newer run's id")->required();
    diff->add_flag("--json", diff_args.json, "machine-readable output");

    daemon::QueryArgs query_args;
    auto* query = app.add_subcommand("query", "run read-only SQL against a replica");
    query->add_option("--account", query_args.account, "the account (default: the only one)");
    query->add_option("--format", query_args.format, "table, csv or json")
        ->check(CLI::IsMember({"table", "csv", "json"}));
    query->add_option(
        "--at", query_args.at,
        "see the resource tables as they were at TIME (YYYY-MM-DD HH:MM:SS or ISO 8601)");
    query->add_option("SQL", query_args.sql, "one SQL statement")->required();

    daemon::VerifyArgs verify_args;
    auto* verify = app.add_subcommand(
        "verify", "check replicas and their file bodies; --drill proves a restore");
    verify->add_option("--account", verify_args.account, "one account (default: all)");
    verify->add_flag("--drill", verify_args.drill,
                     "restore the replica into an empty local sandbox, read it back and compare");
    verify->add_flag("--json", verify_args.json, "print each account's result as JSON on stdout");

    daemon::ForgetArgs forget_args;
    auto* forget = app.add_subcommand(
        "forget", "drop past runs, superseded versions and change rows a policy no longer keeps");
    forget->add_option("--account", forget_args.accounts, "account (repeatable; default: all)");
    forget->add_option("--keep-last", forget_args.keep_last, "keep the newest N runs")
        ->check(CLI::Range(1, 1000000));
    forget->add_option("--keep-within", forget_args.keep_within,
                       "keep every run and version of the DURATION before the newest run "
                       "(e.g. 30 days, 2w)");
    forget->add_option("--keep-daily", forget_args.keep_daily,
                       "keep the newest run of each of the newest N days")
        ->check(CLI::Range(1, 1000000));
    forget->add_option("--keep-weekly", forget_args.keep_weekly,
                       "keep the newest run of each of the newest N weeks")
        ->check(CLI::Range(1, 1000000));
    forget->add_option("--keep-monthly", forget_args.keep_monthly,
                       "keep the newest run of each of the newest N months")
        ->check(CLI::Range(1, 1000000));
    forget->add_flag("-n,--dry-run", forget_args.dry_run, "say what would go; change nothing");
    forget->add_flag("--json", forget_args.json, "machine-readable output");

    daemon::PruneArgs prune_args;
    auto* prune =
        app.add_subcommand("prune", "remove the attachment bodies no file row references");
    prune->add_option("--account", prune_args.accounts, "account (repeatable; default: all)");
    prune->add_flag("-n,--dry-run", prune_args.dry_run, "say what would go; change nothing");
    prune->add_flag("--json", prune_args.json, "machine-readable output");

    auto run_search = daemon::add_search_command(app);

    auto run_export = daemon::add_export_command(app);
    auto run_serve = daemon::add_serve_command(app);

    if (auto message = unknown_command(app, argc, argv)) {
        std::fprintf(stderr, "smartq-backup: %s\n", message->c_str());
        return daemon::kUsage;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        int code = app.exit(error);
        return code == 0 ? 0 : daemon::kUsage;
    }

    auto env = config::Environment::from_process();
    daemon::setup_logging(global.level().value_or("info"));
    try {
        auto config = load(global, env);
        daemon::setup_logging(config.log_level);
        if (*sync)
            return daemon::run_sync(config, sync_args);
        if (*status)
            return daemon::run_status(config, status_args);
        if (*runs)
            return daemon::run_runs(config, runs_args);
        if (*diff)
            return daemon::run_diff(config, diff_args);
        if (*daemon_command) {
            return daemon::run_daemon(config, daemon_args, [&] { return load(global, env); });
        }
        if (*query)
            return daemon::run_query(config, query_args);
        if (*restore)
            return daemon::run_restore(config, restore_args);
        if (*verify)
            return daemon::run_verify(config, verify_args);
        if (auto code = run_export(config))
            return *code;
        if (auto code = run_serve(config))
            return *code;
        if (*forget)
            return daemon::run_forget(config, forget_args);
        if (*prune)
            return daemon::run_prune(config, prune_args);
        if (auto code = run_search(config))
            return *code;
        return daemon::kUsage;
    } catch (...) {
        auto failure = daemon::describe(std::current_exception());
        daemon::report_failure(failure.message);
        return failure.code;
    }
}
