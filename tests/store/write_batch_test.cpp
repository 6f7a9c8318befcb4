#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>

#include "store_fixture.hpp"

using namespace smartq::store;
using namespace smartq::store::testing;
using namespace std::chrono_literals;

namespace {

// A writer and, on the same file, a reader that sees only what was committed.
struct Pair {
    ScratchDir dir;
    Replica writer = open_replica(dir / "replica.db");
    RunId run = writer.start_run("acme", RunKind::Full);
    Replica reader = open_replica(dir / "replica.db", Mode::ReadOnly);

    std::int64_t visible(std::string_view table) {
        return count(reader, "SELECT count(*) FROM " + std::string(table));
    }
};

}  // namespace

TEST_CASE("a batch holds its units until the window has passed, then commits them together") {
    Pair p;
    {
        auto batch = p.writer.batch(1h);
        p.writer.upsert(kProjects, project(1, "Alpha"), p.run);
        {
            auto tx = p.writer.begin();
            p.writer.upsert(kTickets, ticket(1, 1, "t1"), p.run);
            tx.commit();
        }
        CHECK(p.visible("projects") == 0);
        CHECK(p.visible("tickets") == 0);
        CHECK(count(p.writer, "SELECT count(*) FROM tickets") == 1);
        batch.commit();
    }
    CHECK(p.visible("projects") == 1);
    CHECK(p.visible("tickets") == 1);
    CHECK(p.visible("changes") == 2);
    {
        auto batch = p.writer.batch(0ms);
        p.writer.upsert(kProjects, project(2, "Beta"), p.run);
        CHECK(p.visible("projects") == 2);
    }
}

TEST_CASE("a unit that fails in a batch rolls back alone") {
    Pair p;
    auto batch = p.writer.batch(1h);
    p.writer.upsert(kProjects, project(1, "Alpha"), p.run);
    {
        auto tx = p.writer.begin();
        p.writer.upsert(kProjects, project(2, "Beta"), p.run);
        p.writer.upsert(kTickets, ticket(1, 2, "t1"), p.run);
    }
    // A write refused half-way (its change names no run) leaves nothing of itself either.
    CHECK_THROWS_AS(p.writer.upsert(kTickets, ticket(2, 1, "orphan"), 999), StoreError);
    p.writer.upsert(kTickets, ticket(3, 1, "t3"), p.run);
    batch.commit();
    CHECK(p.visible("projects") == 1);
    CHECK(count(p.reader, "SELECT count(*) FROM tickets WHERE id = 3") == 1);
    CHECK(p.visible("tickets") == 1);
    CHECK(p.visible("changes") == 2);
    CHECK(p.writer.ok());
}

TEST_CASE("the end of a batch commits what it holds, batches and transactions do not nest") {
    Pair p;
    {
        auto batch = p.writer.batch(1h);
        p.writer.upsert(kProjects, project(1, "Alpha"), p.run);
        CHECK_THROWS_WITH_AS(p.writer.batch(1h), doctest::Contains("cannot start"), StoreError);
        auto tx = p.writer.begin();
        CHECK_THROWS_WITH_AS(p.writer.begin(), doctest::Contains("already open"), StoreError);
        tx.commit();
    }
    CHECK(p.visible("projects") == 1);
    auto tx = p.writer.begin();
    CHECK_THROWS_WITH_AS(p.writer.batch(1h), doctest::Contains("cannot start"), StoreError);
}

TEST_CASE("a process killed in a batch loses the units of its last window, never part of one") {
    ScratchDir dir;
    auto db = dir / "replica.db";
    { open_replica(db).start_run("acme", RunKind::Full); }
    int pipe_fds[2];
    REQUIRE(::pipe(pipe_fds) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        try {
            auto replica = open_replica(db);
            auto batch = replica.batch(0ms);  // every unit is committed when it ends
            replica.upsert(kProjects, project(1, "Alpha"), 1);
            for (int id = 1;; ++id) {
                auto tx = replica.begin();
                replica.upsert(kTickets, ticket(id, 1, std::string(2048, 'x')), 1);
                replica.upsert(kTickets, ticket(-id, 1, "pair"), 1);
                tx.commit();
                if (id == 100) {
                    char byte = 1;
                    if (::write(pipe_fds[1], &byte, 1) != 1) {
                        ::_exit(3);
                    }
                }
            }
        } catch (...) {
            ::_exit(2);
        }
    }
    char byte = 0;
    REQUIRE(::read(pipe_fds[0], &byte, 1) == 1);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    auto replica = open_replica(db);
    CHECK(replica.ok());
    auto positive = count(replica, "SELECT count(*) FROM tickets WHERE id > 0");
    CHECK(positive >= 100);
    CHECK(count(replica, "SELECT count(*) FROM tickets WHERE id < 0") == positive);
}
