// smartq-backup restore: replays a replica into an account and reports, as
// text or with --json as one JSON document. SIGINT or SIGTERM stops it at
// once: the id map already holds every write (a POST is marked pending before
// it is sent), so the same restore run again finishes the job.
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "sync/restore/restore.hpp"
#include "sync/wire/json_writer.hpp"
#include "sync/wire/time.hpp"

namespace smartq::daemon {
namespace asio = boost::asio;
using sync::restore::Report;

namespace {

// TIME of INTERFACE.md ('YYYY-MM-DD HH:MM:SS' or ISO 8601) as the replica's UTC text.
std::string replica_time(const std::string& text) {
    if (text.empty())
        return {};
    auto parsed = wire::parse_time(text);
    if (!parsed)
        throw UsageError("--at: '" + text + "' is not a time (YYYY-MM-DD HH:MM:SS)");
    return wire::format_time(*parsed);
}

// Generated passwords are never only in memory: without --passwords-out they
// go to a 0600 file in the target account's data directory.
std::filesystem::path default_passwords_file(const config::AccountConfig& to) {
    std::filesystem::create_directories(to.data_dir);
    return to.data_dir / "generated-passwords.tsv";
}

sync::restore::RestoreOptions restore_options(const config::AccountConfig& to,
                                              const RestoreArgs& args) {
    sync::restore::RestoreOptions options;
    options.scope.projects = args.projects;
    options.scope.tickets = args.tickets;
    options.scope.at = replica_time(args.at);
    options.dry_run = args.dry_run;
    options.into_source = args.into_source;
    options.annotate_authors = args.annotate_authors;
    if (!args.user_password_file.empty())
        options.user_password_file = args.user_password_file;
    if (!args.passwords_out.empty())
        options.passwords_out = args.passwords_out;
    else if (!options.user_password_file && !options.dry_run)
        options.passwords_out = default_passwords_file(to);
    return options;
}

// Ends the process after a signal stopped the replay, without unwinding it:
// destroying an io_context that holds the restore's suspended coroutines
// destroys their frames in no set order, a request's after the client it
// counts into (AddressSanitizer caught it). Leaving now is what a crash does,
// and the restore is built to survive one: each write is in the id map,
// committed, before the next starts; generated passwords are appended and
// synced one by one; the account lock is a flock the kernel releases.
[[noreturn]] void leave_on_signal(int signal) {
    spdlog::default_logger()->flush();
    std::fflush(nullptr);
    std::_Exit(stopped_exit_code(signal));
}

// How the replay ended: its report, its failure or the signal that stopped it.
struct Replay {
    std::optional<Report> report;
    std::exception_ptr failure;
    int signal = 0;
};

// Runs the restore in an io_context of its own. A signal stops the context and
// ends the process at once (see leave_on_signal).
Replay replay(const config::AccountConfig& from, const config::AccountConfig& to,
              sync::restore::RestoreOptions options) {
    Replay result;
    asio::io_context io;
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code ec, int signal) {
        if (ec)
            return;
        result.signal = signal;
        spdlog::warn("stopping: every write so far is in the id map; the same restore run "
                     "again finishes it");
        io.stop();
    });
    asio::co_spawn(io, sync::restore::restore_account(from, to, std::move(options)),
                   [&](std::exception_ptr error, Report report) {
                       result.failure = error;
                       if (!error)
                           result.report = std::move(report);
                       signals.cancel();
                   });
    io.run();
    if (result.signal)
        leave_on_signal(result.signal);
    return result;
}

int exit_code_of(const Report& report) {
    if (!report.differences.empty())
        return kDataError;
    return report.complete() ? kOk : kTempFail;
}

void write_counts(wire::JsonWriter& json, const std::map<std::string, sync::restore::Counts>& by) {
    json.begin_object();
    for (const auto& [name, c] : by) {
        json.key(name).begin_object();
        json.key("created").value(static_cast<std::int64_t>(c.created));
        json.key("matched").value(static_cast<std::int64_t>(c.matched));
        json.key("skipped").value(static_cast<std::int64_t>(c.skipped));
        json.key("failed").value(static_cast<std::int64_t>(c.failed));
        json.end_object();
    }
    json.end_object();
}

void write_strings(wire::JsonWriter& json, const std::vector<std::string>& items) {
    json.begin_array();
    for (const auto& item : items)
        json.value(item);
    json.end_array();
}

// The --json document: what the text report says, and the exit code.
// Generated passwords are counted, never printed: they are in their file.
std::string restore_json(const RestoreArgs& args, const sync::restore::RestoreOptions& options,
                         const Report& report, int code) {
    std::string text;
    wire::JsonWriter json(text);
    json.begin_object().key("from").value(args.from).key("to").value(args.to);
    json.key("dry_run").value(args.dry_run).key("exit_code").value(code);
    json.key("complete").value(report.complete()).key("resources");
    write_counts(json, report.by_resource);
    json.key("projects").begin_object();
    for (const auto& [project, counts] : report.by_project) {
        json.key(project);
        write_counts(json, counts);
    }
    json.end_object();
    json.key("requests").value(static_cast<std::int64_t>(report.requests));
    json.key("writes").value(static_cast<std::int64_t>(report.writes));
    json.key("replay_seconds").value(report.replay_seconds).key("verify_seconds");
    report.verify_seconds ? json.value(*report.verify_seconds) : json.null();
    json.key("removed");
    write_strings(json, report.removed);
    json.key("problems");
    write_strings(json, report.problems);
    json.key("differences");
    write_strings(json, report.differences);
    json.key("generated_passwords").value(static_cast<std::int64_t>(report.passwords.size()));
    json.key("passwords_file");
    if (report.passwords.empty() || !options.passwords_out)
        json.null();
    else
        json.value(options.passwords_out->string());
    json.end_object();
    return text;
}

}  // namespace

int run_restore(const config::Config& config, const RestoreArgs& args) {
    const auto& from = config.account(args.from);
    const auto& to = config.account(args.to);
    auto options = restore_options(to, args);
    auto result = replay(from, to, options);
    if (result.failure)
        std::rethrow_exception(result.failure);
    const auto& report = *result.report;
    int code = exit_code_of(report);
    if (args.json)
        std::puts(restore_json(args, options, report, code).c_str());
    else
        std::fputs(report.text().c_str(), stdout);
    if (!report.passwords.empty() && options.passwords_out)
        std::fprintf(stderr, "%zu new user(s) got generated passwords, written to %s\n",
                     report.passwords.size(), options.passwords_out->c_str());
    return code;
}

}  // namespace smartq::daemon
