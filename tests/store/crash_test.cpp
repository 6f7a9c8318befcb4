#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/blob_store.hpp"
#include "store_fixture.hpp"

using namespace smartq::store;
using namespace smartq::store::testing;

namespace {

constexpr int kCommitted = 200;
constexpr int kInFlight = 3000;  // with 2 KB bodies, enough to spill pages into the WAL

void signal_parent(int fd) {
    char byte = 1;
    if (::write(fd, &byte, 1) != 1) {
        ::_exit(3);
    }
}

// Commits kCommitted tickets, tells the parent, then writes tickets in one transaction that
// never commits, telling the parent again once kInFlight are written, and keeps writing.
[[noreturn]] void write_until_killed(const std::filesystem::path& db, int fd) {
    try {
        auto replica = open_replica(db);
        auto run = replica.start_run("acme", RunKind::Full);
        replica.upsert(kProjects, project(1, "Alpha"), run);
        {
            auto transaction = replica.begin();
            for (int id = 1; id <= kCommitted; ++id) {
                replica.upsert(kTickets, ticket(id, 1, std::string(2048, 'c')), run);
            }
            transaction.commit();
        }
        signal_parent(fd);
        BlobStore blobs(db.parent_path() / "blobs");
        auto blob = blobs.begin();
        blob.write(std::string_view("an unfinished body"));
        auto transaction = replica.begin();
        for (int id = kCommitted + 1;; ++id) {
            replica.upsert(kTickets, ticket(id, 1, std::string(2048, 'u'), {1, 2}), run);
            if (id == kCommitted + kInFlight) {
                signal_parent(fd);
            }
        }
    } catch (...) {
        ::_exit(2);
    }
}

bool wait_for_signal(int fd) {
    char byte = 0;
    return ::read(fd, &byte, 1) == 1;
}

}  // namespace

TEST_CASE("a replica written by a process killed mid-transaction opens clean") {
    ScratchDir dir;
    auto db = dir / "acct/replica.db";
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(pipe_fds[0]);
        write_until_killed(db, pipe_fds[1]);
    }
    ::close(pipe_fds[1]);
    bool committed = wait_for_signal(pipe_fds[0]);
    bool in_flight = committed && wait_for_signal(pipe_fds[0]);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    ::close(pipe_fds[0]);
    REQUIRE(committed);
    REQUIRE(in_flight);
    CHECK(WIFSIGNALED(status));

    auto replica = open_replica(db);
    CHECK(replica.integrity_check() == std::vector<std::string>{});
    CHECK(count(replica, "SELECT count(*) FROM tickets") == kCommitted);
    CHECK(count(replica, "SELECT count(*) FROM changes WHERE resource = 'tickets'") == kCommitted);
    CHECK(count(replica, "SELECT count(*) FROM ticket_assignees") == 0);
    auto next = replica.start_run("acme", RunKind::Incremental);
    CHECK(replica.runs(2)[1].status == RunStatus::Interrupted);
    CHECK(replica.upsert(kTickets, ticket(kCommitted + 1, 1, "again"), next) ==
          ChangeKind::Inserted);

    BlobStore blobs(dir / "acct/blobs");
    CHECK(blobs.remove_stale_temps() == 1);
}
