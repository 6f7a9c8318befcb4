// `forget` and `prune`: the replica's past kept by a restic-like policy. The
// rules (what a policy keeps, what is never touched) are store/retention's;
// this file parses the command, takes each account's lock and reports.
#include <fmt/format.h>

#include <cstdio>
#include <stdexcept>

#include "config/duration.hpp"
#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "daemon/progress.hpp"
#include "daemon/run_report.hpp"
#include "store/account_lock.hpp"
#include "store/replica.hpp"
#include "store/retention.hpp"
#include "sync/account_sync.hpp"
#include "sync/table_specs.hpp"
#include "sync/wire/json_writer.hpp"

namespace smartq::daemon {
namespace {

store::RetentionPolicy policy_of(const ForgetArgs& args) {
    store::RetentionPolicy policy;
    policy.last = args.keep_last;
    policy.daily = args.keep_daily;
    policy.weekly = args.keep_weekly;
    policy.monthly = args.keep_monthly;
    if (!args.keep_within.empty()) {
        try {
            policy.within = config::parse_duration(args.keep_within);
        } catch (const std::invalid_argument& e) {
            throw UsageError(std::string("--keep-within: ") + e.what());
        }
    }
    if (policy.empty())
        throw UsageError(
            "forget needs a policy: --keep-last N, --keep-within DURATION, --keep-daily N, "
            "--keep-weekly N or --keep-monthly N");
    return policy;
}

// "1-3, 5, 7-9": run ids, oldest first, as ranges.
std::string id_ranges(const std::vector<store::RunId>& ids) {
    std::string text;
    for (std::size_t i = 0; i < ids.size();) {
        auto j = i;
        while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1)
            ++j;
        text += (text.empty() ? "" : ", ") +
                (i == j ? std::to_string(ids[i]) : fmt::format("{}-{}", ids[i], ids[j]));
        i = j + 1;
    }
    return text;
}

// Whether the account has a replica yet; opening it migrates it to the
// current schema and checks it. The caller holds the lock.
bool has_current_replica(const config::AccountConfig& account) {
    auto path = sync::replica_path(account);
    if (!std::filesystem::exists(path))
        return false;
    store::Replica::open(path, sync::table_specs(), store::Mode::ReadWrite);
    return true;
}

std::string forget_text(const std::string& name, const store::ForgetResult& r, bool dry_run) {
    auto kept = static_cast<std::int64_t>(r.runs_total - r.forgotten.size());
    if (r.forgotten.empty() && r.versions == 0 && r.changes_dropped == 0)
        return fmt::format("{}: the policy keeps {}; nothing to forget\n", name,
                           count_of(kept, "run", "runs"));
    auto forgotten = static_cast<std::int64_t>(r.forgotten.size());
    auto what = fmt::format(
        "{}{}, {} and {}", count_of(forgotten, "run", "runs"),
        r.forgotten.empty() ? "" : " (" + id_ranges(r.forgotten) + ")",
        count_of(r.versions, "superseded version", "superseded versions"),
        count_of(r.changes_dropped, "change row", "change rows"));
    auto moved = count_of(r.changes_folded, "change row", "change rows");
    if (dry_run)
        return fmt::format(
            "{}: would forget {}, and move {} to the next kept run; {} kept; nothing was "
            "changed (dry run)\n",
            name, what, moved, count_of(kept, "run", "runs"));
    return fmt::format("{}: forgot {}, and moved {} to the next kept run; {} kept\n", name, what,
                       moved, count_of(kept, "run", "runs"));
}

void write_forget(wire::JsonWriter& json, const std::string& name, const store::ForgetResult& r,
                  bool dry_run) {
    json.begin_object().key("account").value(name).key("dry_run").value(dry_run);
    json.key("runs").value(static_cast<std::int64_t>(r.runs_total));
    json.key("forgotten_runs").begin_array();
    for (auto id : r.forgotten)
        json.value(id);
    json.end_array();
    json.key("versions").value(r.versions);
    json.key("changes_dropped").value(r.changes_dropped);
    json.key("changes_moved").value(r.changes_folded);
    json.end_object();
}

std::string prune_text(const std::string& name, const store::PruneResult& r, bool dry_run) {
    auto removed = count_of(r.blobs, "unreferenced file body", "unreferenced file bodies");
    auto kept = count_of(r.kept, "body", "bodies");
    if (dry_run)
        return fmt::format("{}: would remove {}, {}; {} kept; nothing was changed (dry run)\n",
                           name, removed, human_bytes(r.bytes), kept);
    return fmt::format("{}: removed {}, {} freed; {} kept\n", name, removed, human_bytes(r.bytes),
                       kept);
}

void write_prune(wire::JsonWriter& json, const std::string& name, const store::PruneResult& r,
                 bool dry_run) {
    json.begin_object().key("account").value(name).key("dry_run").value(dry_run);
    json.key("blobs_removed").value(r.blobs);
    json.key("bytes_freed").value(static_cast<std::int64_t>(r.bytes));
    json.key("blobs_kept").value(r.kept);
    json.end_object();
}

// Applies `apply` to each selected account that has a replica, under the
// account's lock, and prints what came of it as text or as one JSON array.
template <class Result, class Apply, class Text, class Json>
int for_each_replica(const config::Config& config, const std::vector<std::string>& names,
                     bool json_output, Apply apply, Text text, Json write) {
    std::string json_text;
    wire::JsonWriter json(json_text);
    json.begin_array();
    for (const auto* account : select_accounts(config, names)) {
        store::AccountLock lock(account->data_dir / "lock", account->name);
        Result result;
        if (has_current_replica(*account))
            result = apply(*account);
        if (json_output)
            write(json, account->name, result);
        else
            std::fputs(text(account->name, result).c_str(), stdout);
    }
    json.end_array();
    if (json_output)
        std::puts(json_text.c_str());
    return kOk;
}

}  // namespace

int run_forget(const config::Config& config, const ForgetArgs& args) {
    auto policy = policy_of(args);
    return for_each_replica<store::ForgetResult>(
        config, args.accounts, args.json,
        [&](const config::AccountConfig& account) {
            return store::forget(sync::replica_path(account), policy, args.dry_run);
        },
        [&](const std::string& name, const store::ForgetResult& r) {
            return forget_text(name, r, args.dry_run);
        },
        [&](wire::JsonWriter& json, const std::string& name, const store::ForgetResult& r) {
            write_forget(json, name, r, args.dry_run);
        });
}

int run_prune(const config::Config& config, const PruneArgs& args) {
    return for_each_replica<store::PruneResult>(
        config, args.accounts, args.json,
        [&](const config::AccountConfig& account) {
            return store::prune(sync::replica_path(account), sync::blobs_path(account),
                                args.dry_run);
        },
        [&](const std::string& name, const store::PruneResult& r) {
            return prune_text(name, r, args.dry_run);
        },
        [&](wire::JsonWriter& json, const std::string& name, const store::PruneResult& r) {
            write_prune(json, name, r, args.dry_run);
        });
}

}  // namespace smartq::daemon
