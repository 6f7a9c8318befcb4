// `runs`: an account's past runs; `diff`: what changed in the replica between
// two of them, from the change log (`changes`).
#include <fmt/format.h>

#include <iostream>
#include <map>
#include <utility>

#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/run_report.hpp"
#include "daemon/table_output.hpp"
#include "store/replica.hpp"
#include "sync/account_sync.hpp"
#include "sync/table_specs.hpp"
#include "sync/wire/json_writer.hpp"

namespace smartq::daemon {
namespace {

store::Replica open_replica(const config::AccountConfig& account) {
    auto path = sync::replica_path(account);
    if (!std::filesystem::exists(path)) {
        throw store::StoreError("account " + account.name + " has no replica yet at " +
                                path.string() + "; run smartq-backup sync first");
    }
    return store::Replica::open(path, sync::table_specs(), store::Mode::ReadOnly);
}

void print_runs_table(const std::vector<store::RunInfo>& runs) {
    store::QueryResult table;
    table.columns = {"id", "kind", "started", "duration", "status", "changes", "problem"};
    for (const auto& run : runs) {
        auto duration = run_duration(run);
        table.rows.push_back(
            {run.id, std::string(store::to_string(run.kind)), with_zone(run.started_at),
             duration ? human_duration(*duration) : std::string("-"),
             std::string(store::to_string(run.status)), change_counts(run), first_problem(run)});
    }
    print_result(std::cout, table, OutputFormat::Table);
}

// One object's net change over several runs, from its first and last entry
// in the change log.
enum class NetChange { Added, Changed, Deleted };

std::string_view to_string(NetChange change) {
    switch (change) {
        case NetChange::Added:
            return "added";
        case NetChange::Changed:
            return "changed";
        case NetChange::Deleted:
            return "deleted";
    }
    return "changed";
}

char marker(NetChange change) {
    switch (change) {
        case NetChange::Added:
            return '+';
        case NetChange::Changed:
            return '~';
        case NetChange::Deleted:
            return '-';
    }
    return '~';
}

struct ObjectChange {
    std::string resource, key;
    NetChange change;
};

// An object inserted and deleted in between never was in either run's
// replica: it is left out.
std::vector<ObjectChange> net_changes(store::Replica& replica, store::RunId from, store::RunId to) {
    auto log = replica.query(fmt::format(
        "SELECT resource, key, kind FROM changes WHERE run_id > {} AND run_id <= {} ORDER BY id",
        from, to));
    std::map<std::pair<std::string, std::string>, std::pair<std::string, std::string>> first_last;
    for (const auto& row : log.rows) {
        auto kind = std::get<std::string>(row[2]);
        auto [it, fresh] = first_last.try_emplace(
            {std::get<std::string>(row[0]), std::get<std::string>(row[1])}, kind, kind);
        it->second.second = kind;
    }
    std::vector<ObjectChange> changes;
    for (const auto& [object, kinds] : first_last) {
        const auto& [first, last] = kinds;
        bool inserted = first == "insert", deleted = last == "delete";
        if (inserted && deleted)
            continue;
        auto change = inserted  ? NetChange::Added
                      : deleted ? NetChange::Deleted
                                : NetChange::Changed;
        changes.push_back({object.first, object.second, change});
    }
    return changes;
}

// The start time of each of the two runs; a missing one is a usage error.
std::pair<std::string, std::string> run_starts(store::Replica& replica, const DiffArgs& args) {
    if (args.from >= args.to)
        throw UsageError(fmt::format("diff {} {}: name the older run first", args.from, args.to));
    auto found = replica.query(
        fmt::format("SELECT id, started_at FROM runs WHERE id IN ({}, {})", args.from, args.to));
    std::map<std::int64_t, std::string> starts;
    for (const auto& row : found.rows)
        starts[std::get<std::int64_t>(row[0])] = std::get<std::string>(row[1]);
    for (auto id : {args.from, args.to}) {
        if (!starts.contains(id))
            throw UsageError(
                fmt::format("there is no run {}; `smartq-backup runs` lists them", id));
    }
    return {starts[args.from], starts[args.to]};
}

void print_diff_json(const DiffArgs& args, const std::vector<ObjectChange>& changes) {
    std::string text;
    wire::JsonWriter json(text);
    json.begin_object().key("from").value(args.from).key("to").value(args.to);
    json.key("changes").begin_array();
    for (const auto& c : changes) {
        json.begin_object().key("resource").value(c.resource).key("key").value(c.key);
        json.key("change").value(to_string(c.change)).end_object();
    }
    json.end_array().end_object();
    std::cout << text << '\n';
}

void print_diff_text(const DiffArgs& args, const std::pair<std::string, std::string>& starts,
                     const std::vector<ObjectChange>& changes) {
    std::map<NetChange, std::int64_t> totals;
    for (const auto& c : changes) {
        ++totals[c.change];
        std::cout << marker(c.change) << ' ' << c.resource << ' ' << c.key << '\n';
    }
    std::cout << fmt::format("from run {} ({}) to run {} ({}): {} added, {} changed, {} deleted\n",
                             args.from, with_zone(starts.first), args.to, with_zone(starts.second),
                             totals[NetChange::Added], totals[NetChange::Changed],
                             totals[NetChange::Deleted]);
}

}  // namespace

int run_runs(const config::Config& config, const RunsArgs& args) {
    auto replica = open_replica(single_account(config, args.account));
    auto runs = replica.runs(args.limit);
    if (!args.json) {
        print_runs_table(runs);
        return kOk;
    }
    std::string text;
    wire::JsonWriter json(text);
    json.begin_array();
    for (const auto& run : runs)
        write_run(json, run);
    json.end_array();
    std::cout << text << '\n';
    return kOk;
}

int run_diff(const config::Config& config, const DiffArgs& args) {
    auto replica = open_replica(single_account(config, args.account));
    auto starts = run_starts(replica, args);
    auto changes = net_changes(replica, args.from, args.to);
    args.json ? print_diff_json(args, changes) : print_diff_text(args, starts, changes);
    return kOk;
}

}  // namespace smartq::daemon
