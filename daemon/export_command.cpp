// `export`: the replica as a static site for reading without smartQ, without
// this program and without a network (view/static_export.hpp).
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>

#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "store/errors.hpp"
#include "store/read_model.hpp"
#include "sync/account_sync.hpp"
#include "sync/table_specs.hpp"
#include "sync/wire/time.hpp"
#include "view/static_export.hpp"

namespace smartq::daemon {
namespace {

struct ExportArgs {
    std::string account;
    std::vector<std::int64_t> projects;
    std::string at;
    std::string to;
};

// TIME as the replica writes it; a usage error when it is not a time.
std::string canonical_time(const std::string& text) {
    auto parsed = wire::parse_time(text);
    if (!parsed)
        throw UsageError("'" + text + "' is not a time; use YYYY-MM-DD HH:MM:SS or ISO 8601");
    return wire::format_time(*parsed);
}

int run_export(const config::Config& config, const ExportArgs& args) {
    const auto& account = single_account(config, args.account);
    std::string at = args.at.empty() ? std::string() : canonical_time(args.at);
    auto path = sync::replica_path(account);
    if (!std::filesystem::exists(path))
        throw store::StoreError("account " + account.name + " has no replica yet at " +
                                path.string() + "; run smartq-backup sync first");
    store::ReadModel model(path, sync::table_specs(), at, args.projects);
    auto shown = model.projects();
    for (auto id : args.projects) {
        if (std::none_of(shown.begin(), shown.end(), [&](const auto& p) { return p.id == id; }))
            throw UsageError("project " + std::to_string(id) + " is not in the replica of account " +
                             account.name + (at.empty() ? "" : " at " + at));
    }
    auto started = std::chrono::steady_clock::now();
    auto summary = view::export_site(
        model, {account.name, sync::blobs_path(account), std::filesystem::absolute(args.to)});
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    std::printf("Exported %zu projects: %llu pages, %llu attachments (%llu never downloaded), "
                "%llu table rows in %.1f s.\nOpen %s in a browser.\n",
                shown.size(), static_cast<unsigned long long>(summary.pages),
                static_cast<unsigned long long>(summary.attachments),
                static_cast<unsigned long long>(summary.missing),
                static_cast<unsigned long long>(summary.rows), took.count(),
                (std::filesystem::absolute(args.to) / "index.html").c_str());
    return kOk;
}

}  // namespace

std::function<std::optional<int>(const config::Config&)> add_export_command(CLI::App& app) {
    auto args = std::make_shared<ExportArgs>();
    auto* command = app.add_subcommand(
        "export", "write a replica as a static web site that opens from disk (file://)");
    command->add_option("--account", args->account, "the account (default: the only one)");
    command->add_option("--project", args->projects, "export only this project (repeatable)");
    command->add_option("--at", args->at,
                        "the account as it was at TIME (YYYY-MM-DD HH:MM:SS or ISO 8601)");
    command->add_option("--to", args->to, "the directory to write (created if missing)")
        ->required();
    return [command, args](const config::Config& config) -> std::optional<int> {
        if (!*command)
            return std::nullopt;
        return run_export(config, *args);
    };
}

}  // namespace smartq::daemon
