// smartq-backup restore: replays a replica into an account and reports.
#include <utility>

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdio>

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
    asio::io_context io;
    std::exception_ptr failure;
    sync::restore::Report report;
    asio::co_spawn(io, sync::restore::restore_account(from, to, options),
                   [&](std::exception_ptr error, sync::restore::Report result) {
                       failure = error;
                       report = std::move(result);
                   });
    io.run();
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (const sync::restore::RestoreRefused& refused) {
            throw UsageError(refused.what());
        }
    }
    std::fputs(report.text().c_str(), stdout);
    if (!report.passwords.empty() && !options.passwords_out)
        std::fprintf(
            stderr,
            "%zu new user(s) got generated passwords; pass --passwords-out FILE to keep them\n",
            report.passwords.size());
    if (!report.differences.empty())
        return kDataError;
    return report.complete() ? kOk : kTempFail;
}

}  // namespace smartq::daemon
