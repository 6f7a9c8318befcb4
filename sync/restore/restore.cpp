#include "sync/restore/restore.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "store/account_lock.hpp"
#include "store/blob_store.hpp"
#include "store/replica.hpp"
#include "store/tree_rows.hpp"
#include "sync/account_sync.hpp"
#include "sync/restore/id_map.hpp"
#include "sync/restore/passwords.hpp"
#include "sync/restore/plan.hpp"
#include "sync/restore/replayer.hpp"
#include "sync/restore/writer.hpp"
#include "sync/verify/read_back.hpp"

namespace smartq::sync::restore {
namespace asio = boost::asio;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool source_has_user(store::Replica& replica, const std::string& email) {
    store::RowQuery query{.equal = {{"email", email}}};
    return !store::select_rows(replica, resource(Kind::Users).table, query).empty();
}

// The one place the restore reads the target back (a read-only sync into a
// scratch replica) and compares it with the source. The comparison is of the
// source's live objects, so a restore --at a past run is not verified.
asio::awaitable<void> verify(const config::AccountConfig& from, const config::AccountConfig& to,
                             store::Replica& replica, const RestoreOptions& options,
                             Report& report) {
    const auto& scope = options.scope;
    if (!scope.at.empty()) {
        report.problem("not verified: a restore --at a past time is not compared with the replica");
        co_return;
    }
    verify::CompareScope compare;
    compare.projects = scope.projects;
    compare.tickets = scope.tickets;
    compare.annotated_target_notes = options.annotate_authors;
    if (!source_has_user(replica, to.login))
        compare.ignored_target_users.push_back(to.login);
    auto scratch = from.data_dir / ("restore-verify-" + to.name);
    std::filesystem::remove_all(scratch);
    auto started = std::chrono::steady_clock::now();
    report.differences = co_await verify::verify_against(to, replica, compare, scratch);
    report.verify_seconds = seconds_since(started);
    std::filesystem::remove_all(scratch);
}

}  // namespace

bool same_account(const config::AccountConfig& from, const config::AccountConfig& to) {
    return from.name == to.name || from.url == to.url;
}

asio::awaitable<Report> restore_account(const config::AccountConfig& from,
                                        const config::AccountConfig& to, RestoreOptions options) {
    if (same_account(from, to) && !options.into_source)
        throw RestoreRefused("the target " + to.name + " is the account " + from.name +
                             " backs up; pass --into-source to restore what is missing there");
    store::AccountLock lock(from.data_dir / "lock", from.name);
    auto replica = store::Replica::open(replica_path(from), table_specs(), store::Mode::ReadWrite);
    store::BlobStore blobs(blobs_path(from));
    std::optional<PlanReader> plan;
    try {
        plan.emplace(replica, options.scope);
    } catch (const std::invalid_argument& error) {
        throw RestoreRefused(error.what());
    }
    // A dry run writes no file of generated passwords: no user is made.
    UserPasswords passwords(options.user_password_file,
                            options.dry_run ? std::nullopt : options.passwords_out);
    auto executor = co_await asio::this_coro::executor;
    auto access = options.dry_run ? http::Access::ReadOnly : http::Access::ReadWrite;
    // One client, so one pacer, for the target's reads and writes.
    http::ApiClient reader(executor, http::parse_url(to.url), credentials(to), access,
                           client_options(to));
    // A dry run records its writes and its id map in memory: the walk is the same.
    SendingWriter sending(reader);
    RecordingWriter recording;
    Writer& writer = options.dry_run ? static_cast<Writer&>(recording) : sending;
    // The id map is per target account: a restore into another one starts afresh.
    IdMap ids(replica, to.url + " " + to.name,
              options.dry_run ? IdMap::Writes::Record : IdMap::Writes::Persist);
    Report report;
    report.dry_run = options.dry_run;
    ReplayOptions replay;
    replay.into_source = options.into_source;
    replay.annotate_authors = options.annotate_authors;
    spdlog::info("restoring {} into {}{}", from.name, to.name, options.dry_run ? " (dry run)" : "");
    Replayer replayer(reader, writer, *plan, ids, blobs, passwords, replay, report);
    auto started = std::chrono::steady_clock::now();
    co_await replayer.run();
    report.replay_seconds = seconds_since(started);
    for (const auto& [method, n] : reader.stats().requests_by_method)
        report.requests += n;
    report.writes += reader.stats().writes;
    if (!options.dry_run)
        co_await verify(from, to, replica, options, report);
    co_return report;
}

}  // namespace smartq::sync::restore
