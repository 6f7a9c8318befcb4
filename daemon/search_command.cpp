#include "daemon/search_command.hpp"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/table_output.hpp"
#include "store/search.hpp"
#include "sync/account_sync.hpp"
#include "sync/table_specs.hpp"
#include "sync/wire/time.hpp"

namespace smartq::daemon {
namespace {

struct SearchArgs {
    std::string account;
    std::optional<std::int64_t> project;
    std::string at;  // TIME: the account as it was then
    std::string format = "table";
    std::int64_t limit = 50;
    std::string query;
};

store::SearchRequest request_of(const SearchArgs& args) {
    store::SearchRequest request{
        .query = args.query, .project = args.project, .at = {}, .limit = args.limit};
    if (!args.at.empty()) {
        auto parsed = wire::parse_time(args.at);
        if (!parsed)
            throw UsageError("--at: '" + args.at + "' is not a time (YYYY-MM-DD HH:MM:SS)");
        request.at = wire::format_time(*parsed);
    }
    return request;
}

int run_search(const config::Config& config, const SearchArgs& args) {
    const auto& account = single_account(config, args.account);
    auto format = parse_output_format(args.format);
    auto request = request_of(args);
    auto path = sync::replica_path(account);
    if (!std::filesystem::exists(path)) {
        throw store::StoreError("account " + account.name + " has no replica yet at " +
                                path.string() + "; run smartq-backup sync first");
    }
    auto replica = store::Replica::open(path, sync::table_specs(), store::Mode::ReadOnly);
    try {
        print_result(std::cout, store::search(replica, request), format);
    } catch (const store::SearchQueryError& error) {
        throw UsageError(std::string(error.what()) +
                         "; put words with punctuation in double quotes");
    }
    return kOk;
}

}  // namespace

std::function<std::optional<int>(const config::Config&)> add_search_command(CLI::App& app) {
    auto args = std::make_shared<SearchArgs>();
    auto* command = app.add_subcommand(
        "search", "find tickets and notes by their words, best first (works offline)");
    command->add_option("--account", args->account, "the account (default: the only one)");
    command->add_option("--project", args->project, "only this project's tickets and notes (id)");
    command->add_option("--at", args->at,
                        "search the account as it was at TIME (YYYY-MM-DD HH:MM:SS or ISO 8601)");
    command->add_option("--format", args->format, "table, csv or json")
        ->check(CLI::IsMember({"table", "csv", "json"}));
    command->add_option("--limit", args->limit, "at most this many hits (default: 50)")
        ->check(CLI::PositiveNumber);
    command->add_option("QUERY", args->query,
                        "words (all must occur), \"a phrase\", OR, NOT, prefix*, name:word")
        ->required();
    return [command, args](const config::Config& config) -> std::optional<int> {
        if (!*command)
            return std::nullopt;
        return run_search(config, *args);
    };
}

}  // namespace smartq::daemon
