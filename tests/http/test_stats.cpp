// What a client counts: answers by status class, request durations, requests in flight.
#include <utility>

#include <doctest/doctest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <chrono>

#include "client_fixture.hpp"

namespace asio = boost::asio;
using namespace smartq::http;
using namespace smartq::http::testing;
using namespace std::chrono_literals;

TEST_CASE("stats: every attempt is counted by the class of its answer and timed") {
    FakeServer server;
    // A body cut short is an answer lost mid-way: a transport failure, not a status.
    server.script({Reply::truncated(R"({"error":null,"data":[)", 100), Reply::html(502),
                   Reply::data("[]"), Reply::error(404, "no such project")});
    asio::io_context io;
    auto client = make_client(io, server.url());
    run(io, client->get("/projects"));
    http_error_of([&] { run(io, client->get("/projects/9")); });
    auto stats = client->stats();
    // The token POST is an attempt too; the fake server answers it 200.
    std::uint64_t sent = 0;
    for (const auto& [method, n] : stats.requests_by_method) {
        sent += n;
    }
    CHECK(sent == server.requests().size());
    CHECK(stats.answered(AnswerClass::TransportFailure) == 1);
    CHECK(stats.answered(AnswerClass::ServerError) == 1);
    CHECK(stats.answered(AnswerClass::ClientError) == 1);
    CHECK(stats.answered(AnswerClass::Redirect) == 0);
    CHECK(stats.answered(AnswerClass::Success) == sent - 3);
    CHECK(stats.durations.count() == sent);
    CHECK(stats.durations.cumulative(DurationHistogram::kBounds.size()) == sent);
}

TEST_CASE("stats: the in-flight integral covers the time requests spent on the wire") {
    FakeServer server;
    auto slow = Reply::data("[]");
    slow.delay = 200ms;
    server.script({Reply::data("[]"), slow, slow});
    asio::io_context io;
    auto client = make_client(io, server.url());
    run(io, client->get("/users/me"));  // the token, before the timed part
    auto before = client->stats().in_flight_seconds;
    auto started = std::chrono::steady_clock::now();
    for (const char* target : {"/projects", "/users"}) {
        asio::co_spawn(
            io, [&client, target]() -> asio::awaitable<void> { co_await client->get(target); },
            asio::detached);
    }
    io.restart();
    io.run();
    std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
    auto spent = client->stats().in_flight_seconds - before;
    // Each request was on the wire for at least the server's delay, and never more
    // than two were on it at once.
    CHECK(spent >= 0.4);
    CHECK(spent <= 2 * wall.count());
    CHECK(client->stats().durations.sum_seconds() >= 0.4);
}

TEST_CASE("stats: the histogram's buckets are cumulative upper bounds") {
    DurationHistogram histogram;
    histogram.observe(0.005s);  // on a bound: in that bucket
    histogram.observe(0.0051s);
    histogram.observe(1000s);
    CHECK(histogram.cumulative(0) == 1);
    CHECK(histogram.cumulative(1) == 2);
    CHECK(histogram.cumulative(DurationHistogram::kBounds.size() - 1) == 2);
    CHECK(histogram.cumulative(DurationHistogram::kBounds.size()) == 3);
    CHECK(histogram.count() == 3);
    CHECK(answer_class(0) == AnswerClass::TransportFailure);
    CHECK(answer_class(301) == AnswerClass::Redirect);
    CHECK(to_label(AnswerClass::TransportFailure) == "failed");
}
