// smartq-backup restore: replays a replica into an account and reports.
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <filesystem>

#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "sync/restore/restore.hpp"
#include "sync/wire/time.hpp"

namespace smartq::daemon {
namespace asio = boost::asio;

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

}  // namespace

int run_restore(const config::Config& config, const RestoreArgs& args) {
    const auto& from = config.account(args.from);
    const auto& to = config.account(args.to);
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
    asio::io_context io;
    std::exception_ptr failure;
    sync::restore::Report report;
    asio::co_spawn(io, sync::restore::restore_account(from, to, options),
                   [&](std::exception_ptr error, sync::restore::Report result) {
                       failure = error;
                       report = std::move(result);
                   });
    io.run();
    // RestoreRefused is a UsageError: main() gives it its sentence and exit 64.
    if (failure)
        std::rethrow_exception(failure);
    std::fputs(report.text().c_str(), stdout);
    if (!report.passwords.empty() && options.passwords_out)
        std::fprintf(stderr, "%zu new user(s) got generated passwords, written to %s\n",
                     report.passwords.size(), options.passwords_out->c_str());
    if (!report.differences.empty())
        return kDataError;
    return report.complete() ? kOk : kTempFail;
}

}  // namespace smartq::daemon
