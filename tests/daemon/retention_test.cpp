// forget and prune: what a policy keeps (store::runs_to_keep, by hand-made
// run logs), and the commands against a real replica: the current state of
// every object, the state as of each kept run and the diffs between kept runs
// survive a forget; a dry run changes nothing; prune removes only the bodies
// no file row references.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "store/account_lock.hpp"
#include "store/retention.hpp"
#include "support/text.hpp"
#include "sync/backup_env.hpp"

using namespace smartq;
using namespace smartq::test;
using namespace std::chrono_literals;

namespace {

using store::RunKind;
using store::RunStatus;

std::set<store::RunId> keep(const std::vector<store::RunPoint>& runs,
                            const store::RetentionPolicy& policy) {
    return store::runs_to_keep(runs, policy);
}

// Every row of `table`, each as one line of its columns, sorted: what a
// table holds, whatever its key, read with SQLite alone.
std::vector<std::string> rows(const BackupEnv& env, const std::string& table) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open_v2(env.replica().c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
            SQLITE_OK);
    std::vector<std::string> lines;
    auto collect = [](void* out, int n, char** values, char**) {
        std::string line;
        for (int i = 0; i < n; ++i)
            line += std::string(values[i] ? values[i] : "NULL") + "|";
        static_cast<std::vector<std::string>*>(out)->push_back(line);
        return 0;
    };
    auto rc = sqlite3_exec(db, ("SELECT * FROM " + table).c_str(), collect, &lines, nullptr);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
    std::sort(lines.begin(), lines.end());
    return lines;
}

constexpr const char* kResourceTables[] = {
    "users",   "projects", "roles", "steps", "custom_fields", "custom_field_values",
    "tickets", "notes",    "tasks", "files"};

std::map<std::string, std::vector<std::string>> current_state(const BackupEnv& env) {
    std::map<std::string, std::vector<std::string>> state;
    for (const auto* table : kResourceTables)
        state[table] = rows(env, table);
    return state;
}

std::map<std::string, std::vector<std::string>> whole_replica(const BackupEnv& env) {
    auto state = current_state(env);
    for (const auto* table : {"runs", "run_findings", "changes", "history"})
        state[table] = rows(env, table);
    return state;
}

// What `query --at` shows of the resource tables as they were at `time`.
std::string state_at(const BackupEnv& env, const std::string& time) {
    std::string all;
    for (const auto* table : kResourceTables) {
        auto result = env.run({"query", "--at", time, "--format", "csv",
                               std::string("SELECT data FROM ") + table + " ORDER BY data"});
        REQUIRE_MESSAGE(result.code == 0, result.err);
        all += result.out;
    }
    return all;
}

void sync_after_changes(const SandboxFixture& sandbox, const BackupEnv& env, int seed) {
    std::this_thread::sleep_for(1100ms);  // history times have whole seconds
    REQUIRE(sandbox.admin("POST", "mutate?seed=" + std::to_string(seed) + "&count=30").status ==
            200);
    auto synced = env.run({"sync", "--deep"});
    REQUIRE_MESSAGE(synced.code == 0, synced.err);
}

}  // namespace

TEST_CASE("a policy keeps what restic's would, and always the runs others rely on") {
    // Newest first: two runs a day over three days, the oldest a full one.
    std::vector<store::RunPoint> runs = {
        {6, "2026-03-03 18:00:00", RunKind::Incremental, RunStatus::Failed},
        {5, "2026-03-03 06:00:00", RunKind::Incremental, RunStatus::Ok},
        {4, "2026-03-02 18:00:00", RunKind::Deep, RunStatus::Ok},
        {3, "2026-03-02 06:00:00", RunKind::Incremental, RunStatus::Ok},
        {2, "2026-02-23 18:00:00", RunKind::Incremental, RunStatus::Ok},
        {1, "2026-02-23 06:00:00", RunKind::Full, RunStatus::Ok},
    };
    // The newest, the newest success and the newest success of a deep or full run.
    CHECK(keep(runs, {.last = 1}) == std::set<store::RunId>{6, 5, 4});
    CHECK(keep(runs, {.last = 4}) == std::set<store::RunId>{6, 5, 4, 3});
    CHECK(keep(runs, {.daily = 2}) == std::set<store::RunId>{6, 5, 4});
    CHECK(keep(runs, {.daily = 9}) == std::set<store::RunId>{6, 5, 4, 2});
    // 2026-03-02 is a Monday: the 2nd and 3rd share a week, the 23rd (a Monday) is the one before.
    CHECK(keep(runs, {.weekly = 2}) == std::set<store::RunId>{6, 5, 4, 2});
    CHECK(keep(runs, {.monthly = 1}) == std::set<store::RunId>{6, 5, 4});
    CHECK(keep(runs, {.monthly = 2}) == std::set<store::RunId>{6, 5, 4, 2});
    CHECK(keep(runs, {.within = 36h}) == std::set<store::RunId>{6, 5, 4, 3});
    CHECK(keep(runs, {.within = 24h * 30}) == std::set<store::RunId>{6, 5, 4, 3, 2, 1});

    std::vector<store::RunPoint> running = {
        {3, "2026-03-03 18:00:00", RunKind::Incremental, RunStatus::Running},
        {2, "2026-03-03 06:00:00", RunKind::Incremental, RunStatus::Interrupted},
        {1, "2026-03-02 18:00:00", RunKind::Full, RunStatus::Ok},
    };
    CHECK(keep(running, {.last = 1}) == std::set<store::RunId>{3, 1});
    CHECK(keep({}, {.last = 1}).empty());
}

TEST_CASE("forget keeps the current state, every kept run's state and their diffs") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(env.run({"sync"}).code == 0);
    for (int seed : {11, 12})
        sync_after_changes(sandbox, env, seed);
    auto before = whole_replica(env);
    REQUIRE(before["runs"].size() == 3);
    auto run2_end = env.run({"query", "--format", "csv", "SELECT ended_at FROM runs WHERE id = 2"})
                        .out.substr(std::string("ended_at\r\n").size(), 19);
    auto state2 = state_at(env, run2_end);
    auto diff23 = env.run({"diff", "2", "3"}).out;

    auto dry = env.run({"forget", "--keep-last", "2", "--dry-run"});
    INFO(dry.err);
    CHECK(dry.code == 0);
    CHECK(contains(dry.out, "acme: would forget 1 run (1), "));
    CHECK(contains(dry.out, "nothing was changed (dry run)"));
    CHECK(whole_replica(env) == before);

    auto forgot = env.run({"forget", "--keep-last", "2", "--json"});
    INFO(forgot.err);
    CHECK(forgot.code == 0);
    CHECK(contains(forgot.out, "\"forgotten_runs\":[1]"));
    auto after = whole_replica(env);
    CHECK(after["runs"].size() == 2);
    CHECK(after["history"].size() < before["history"].size());
    for (const auto* table : kResourceTables)
        CHECK_MESSAGE(after[table] == before[table], table);
    CHECK(state_at(env, run2_end) == state2);
    CHECK(env.run({"diff", "2", "3"}).out == diff23);
    CHECK(env.run({"verify"}).code == 0);

    // Nothing left to forget: a second run changes nothing.
    auto again = env.run({"forget", "--keep-last", "2"});
    CHECK(again.code == 0);
    CHECK(contains(again.out, "acme: the policy keeps 2 runs; nothing to forget"));
    CHECK(whole_replica(env) == after);
}

TEST_CASE("prune removes the bodies no file row references, and a dry run none") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(env.run({"sync"}).code == 0);
    auto bodies = rows(env, "files");
    auto orphan = env.blobs() / "ab" / ("ab" + std::string(62, '0'));
    auto stranger = env.blobs() / "ab" / "notes.txt";
    std::filesystem::create_directories(orphan.parent_path());
    std::ofstream(orphan) << "orphan";
    std::ofstream(stranger) << "not a body";

    auto dry = env.run({"prune", "--dry-run"});
    CHECK(dry.code == 0);
    CHECK(contains(dry.out, "acme: would remove 1 unreferenced file body, 6 B; "));
    CHECK(std::filesystem::exists(orphan));

    auto pruned = env.run({"prune", "--json"});
    CHECK(pruned.code == 0);
    CHECK(contains(pruned.out, "\"blobs_removed\":1,\"bytes_freed\":6,"));
    CHECK_FALSE(std::filesystem::exists(orphan));
    CHECK(std::filesystem::exists(stranger));
    CHECK(rows(env, "files") == bodies);
    std::filesystem::remove(stranger);
    auto verified = env.run({"verify"});
    CHECK(verified.code == 0);
    CHECK(contains(verified.out, "acme: ok: "));
}

TEST_CASE("forget and prune refuse bad input with one sentence and a distinct code") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(env.run({"sync"}).code == 0);
    auto no_policy = env.run({"forget"});
    CHECK(no_policy.code == 64);
    CHECK(contains(no_policy.err, "forget needs a policy: --keep-last N"));
    auto bad_within = env.run({"forget", "--keep-within", "soon"});
    CHECK(bad_within.code == 64);
    CHECK(contains(bad_within.err, "--keep-within: 'soon' is not a duration"));
    CHECK(env.run({"forget", "--keep-last", "0"}).code == 64);
    auto unknown = env.run({"prune", "--account", "nope"});
    CHECK(unknown.code == 78);
    CHECK(contains(unknown.err, "nope"));
    // A sync in progress holds the account: forget and prune wait for another round.
    store::AccountLock held(env.data_dir() / "acme" / "lock", "acme");
    CHECK(env.run({"forget", "--keep-last", "1"}).code == 75);
    auto busy = env.run({"prune"});
    CHECK(busy.code == 75);
    CHECK(contains(busy.err, "account acme is being synced by another process"));
}
