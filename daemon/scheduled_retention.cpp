#include "daemon/scheduled_retention.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "daemon/exit_codes.hpp"
#include "daemon/progress.hpp"
#include "daemon/run_report.hpp"
#include "store/account_lock.hpp"
#include "store/retention.hpp"
#include "sync/account_sync.hpp"

namespace smartq::daemon {
namespace {

store::RetentionPolicy policy_of(const config::RetentionConfig& settings) {
    store::RetentionPolicy policy;
    policy.last = settings.keep_last;
    policy.daily = settings.keep_daily;
    policy.weekly = settings.keep_weekly;
    policy.monthly = settings.keep_monthly;
    policy.within = settings.keep_within;
    return policy;
}

bool dropped_rows(const store::ForgetResult& forgot) {
    return !forgot.forgotten.empty() || forgot.versions > 0 || forgot.changes_dropped > 0;
}

std::string forget_summary(const store::ForgetResult& forgot) {
    auto kept = static_cast<std::int64_t>(forgot.runs_total - forgot.forgotten.size());
    return fmt::format("forgot {}, {} and {}; {} kept",
                       count_of(static_cast<std::int64_t>(forgot.forgotten.size()), "run", "runs"),
                       count_of(forgot.versions, "superseded version", "superseded versions"),
                       count_of(forgot.changes_dropped, "change row", "change rows"),
                       count_of(kept, "run", "runs"));
}

// The lock is taken anew: the run that just ended released it.
void apply_policy(const config::AccountConfig& account) {
    store::AccountLock lock(account.data_dir / "lock", account.name);
    auto replica = sync::replica_path(account);
    auto forgot = store::forget(replica, policy_of(*account.retention), false);
    auto line = fmt::format("{}: retention: {}", account.name, forget_summary(forgot));
    if (dropped_rows(forgot))
        line += fmt::format(", {} free in the replica for later runs",
                            human_bytes(store::reclaim_space(replica)));
    if (account.retention->prune) {
        auto pruned = store::prune(replica, sync::blobs_path(account), false);
        line += fmt::format("; pruned {}, {}", count_of(pruned.blobs, "file body", "file bodies"),
                            human_bytes(pruned.bytes));
    }
    spdlog::info("{}", line);
}

}  // namespace

void apply_retention(const config::AccountConfig& account) {
    if (!account.retention)
        return;
    try {
        apply_policy(account);
    } catch (...) {
        spdlog::error("{}: retention failed, tried again after the next run: {}", account.name,
                      describe(std::current_exception()).message);
    }
}

}  // namespace smartq::daemon
