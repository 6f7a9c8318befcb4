// The order of the restore's walk as the resource table gives it, apart from any server: each
// kind's placing is a body that yields a few times, and the test reads when bodies began and
// ended.
#include <doctest/doctest.h>

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <map>
#include <stdexcept>

#include "sync/restore/kind_gates.hpp"

namespace asio = boost::asio;
using smartq::sync::Kind;
using smartq::sync::restore::KindGates;

namespace {

// Step numbers at which each kind's body began and ended.
struct Timeline {
    int now = 0;
    std::map<Kind, int> began, ended;
};

asio::awaitable<void> body(Kind kind, Timeline& timeline, bool fail = false) {
    timeline.began[kind] = ++timeline.now;
    for (int i = 0; i < 3; ++i)
        co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
    if (fail)
        throw std::runtime_error("refused");
    timeline.ended[kind] = ++timeline.now;
}

void spawn(asio::io_context& io, KindGates& gates, Kind kind, Timeline& timeline,
           bool fail = false) {
    asio::co_spawn(io, gates.in_order(kind, body(kind, timeline, fail)), asio::detached);
}

}  // namespace

TEST_CASE("kind gates: a kind waits for the kinds it names, the others go side by side") {
    asio::io_context io;
    Timeline t;
    KindGates account(io.get_executor(), std::nullopt);
    KindGates project(io.get_executor(), Kind::Projects, &account);
    for (auto kind : {Kind::Tickets, Kind::Roles, Kind::CustomFields, Kind::Steps})
        spawn(io, project, kind, t);
    spawn(io, account, Kind::Users, t);
    io.run();
    REQUIRE(t.ended.size() == 5);
    // A role names its max_step.
    CHECK(t.began[Kind::Roles] > t.ended[Kind::Steps]);
    // A ticket names its step and assignees, and its values need the fields and their values.
    CHECK(t.began[Kind::Tickets] > t.ended[Kind::Steps]);
    CHECK(t.began[Kind::Tickets] > t.ended[Kind::CustomFields]);
    CHECK(t.began[Kind::Tickets] > t.ended[Kind::Users]);
    // Steps, fields and users need nothing: they all begin before any ends.
    auto first_end =
        std::min({t.ended[Kind::Steps], t.ended[Kind::CustomFields], t.ended[Kind::Users]});
    CHECK(t.began[Kind::Steps] < first_end);
    CHECK(t.began[Kind::CustomFields] < first_end);
    CHECK(t.began[Kind::Users] < first_end);
}

TEST_CASE("kind gates: a kind whose dependency failed is not placed and fails too") {
    asio::io_context io;
    Timeline t;
    KindGates account(io.get_executor(), std::nullopt);
    KindGates project(io.get_executor(), Kind::Projects, &account);
    bool tickets_failed = false;
    asio::co_spawn(io, project.in_order(Kind::Tickets, body(Kind::Tickets, t)),
                   [&](std::exception_ptr failure) { tickets_failed = failure != nullptr; });
    spawn(io, project, Kind::Steps, t);
    spawn(io, project, Kind::CustomFields, t);
    spawn(io, account, Kind::Users, t, true);
    io.run();
    CHECK(tickets_failed);
    CHECK_FALSE(t.began.contains(Kind::Tickets));
    CHECK(t.ended.contains(Kind::Steps));
}
