#include <utility>

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>

#include "client_fixture.hpp"

namespace asio = boost::asio;
using namespace smartq::http;
using namespace smartq::http::testing;
using namespace std::chrono_literals;

namespace {

std::string data_id(const JsonResponse& response) {
    std::string_view id;
    REQUIRE(response.data()["id"].get(id) == simdjson::SUCCESS);
    return std::string(id);
}

}  // namespace

TEST_CASE("transport: GET sends the key and token and returns the data") {
    FakeServer server;
    server.script({Reply::data(R"({"id":"510"})")});
    asio::io_context io;
    auto client = make_client(io, server.url());
    auto answer = run(io, client->get("/users/me"));
    CHECK(data_id(answer) == "510");
    auto seen = server.requests_to("/api/v1/users/me");
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method == "GET");
    CHECK(seen[0].header("x-auth-client-id") == test_credentials.api_key);
    CHECK(seen[0].header("x-authorization") == "OAUTH2 tok1");
    CHECK(seen[0].header("authorization").empty());
}

TEST_CASE("transport: HTML 502s are retried, and counted") {
    FakeServer server;
    server.script({Reply::html(502), Reply::html(502), Reply::data(R"({"id":"1"})")});
    asio::io_context io;
    auto client = make_client(io, server.url());
    CHECK(data_id(run(io, client->get("/projects"))) == "1");
    CHECK(server.requests_to("/api/v1/projects").size() == 3);
    CHECK(client->stats().retries == 2);
}

TEST_CASE("transport: after the last attempt a 502 stays Retryable with a clear sentence") {
    FakeServer server;
    server.script(std::vector<Reply>(4, Reply::html(502)));
    asio::io_context io;
    auto client = make_client(io, server.url());
    auto error = http_error_of([&] { run(io, client->get("/projects")); });
    CHECK(error.cls() == ErrorClass::Retryable);
    CHECK(std::string(error.what()) ==
          "127.0.0.1:" + std::to_string(server.port()) +
              " answered HTTP 502 with an HTML page for GET /projects");
    CHECK(server.requests_to("/api/v1/projects").size() == 4);
    CHECK(client->stats().retries == 3);
}

TEST_CASE("transport: a 404 is Permanent and not retried") {
    FakeServer server;
    server.script({Reply::error(404, "Ticket not found")});
    asio::io_context io;
    auto client = make_client(io, server.url());
    auto error = http_error_of([&] { run(io, client->get("/projects/1/tickets/9")); });
    CHECK(error.cls() == ErrorClass::Permanent);
    CHECK(error.status() == 404);
    CHECK(server.requests_to("/api/v1/projects").size() == 1);
    CHECK(client->stats().retries == 0);
}

TEST_CASE("transport: Retry-After is honoured, up to max_retry_after") {
    auto limited = Reply::error(429, "slow down");
    limited.headers.push_back({"Retry-After", "1"});
    asio::io_context io;
    SUBCASE("under the cap the full second is waited") {
        FakeServer server;
        server.script({limited, Reply::data(R"({"id":"1"})")});
        auto client = make_client(io, server.url());
        auto started = std::chrono::steady_clock::now();
        run(io, client->get("/projects"));
        auto waited = std::chrono::steady_clock::now() - started;
        CHECK(waited >= 1000ms);
        CHECK(waited < 1800ms);
    }
    SUBCASE("the cap cuts a long wait short") {
        FakeServer server;
        server.script({limited, Reply::data(R"({"id":"1"})")});
        auto options = fast_options();
        options.retry.max_retry_after = 100ms;
        auto client = make_client(io, server.url(), options);
        auto started = std::chrono::steady_clock::now();
        run(io, client->get("/projects"));
        auto waited = std::chrono::steady_clock::now() - started;
        CHECK(waited >= 100ms);
        CHECK(waited < 800ms);
    }
}

TEST_CASE("transport: waiting on a rate limit spends no attempt, only retry_for") {
    auto limited = Reply::error(429, "slow down");
    limited.headers.push_back({"Retry-After", "0"});
    asio::io_context io;
    SUBCASE("more 429s than attempts still end in the answer") {
        FakeServer server;
        server.script({limited, limited, Reply::data(R"({"id":"1"})")});
        auto options = fast_options();
        options.retry.max_attempts = 1;
        auto client = make_client(io, server.url(), options);
        CHECK(data_id(run(io, client->get("/projects"))) == "1");
        CHECK(server.requests_to("/api/v1/projects").size() == 3);
    }
    SUBCASE("a limit that never lifts ends RateLimited once retry_for is spent") {
        FakeServer server;
        server.handle([&](const SeenRequest& seen) {
            return seen.target.ends_with("/oauth2/") ? Reply::token("tok1", "ref1") : limited;
        });
        auto options = fast_options();
        options.retry.retry_for = 300ms;
        auto client = make_client(io, server.url(), options);
        auto error = http_error_of([&] { run(io, client->get("/projects")); });
        CHECK(error.cls() == ErrorClass::RateLimited);
        CHECK(error.status() == 429);
    }
}

TEST_CASE("transport: a 503 with Retry-After is a rate limit, without it a failed attempt") {
    auto unavailable = Reply::html(503);
    auto paused = unavailable;
    paused.headers.push_back({"Retry-After", "0"});
    FakeServer server;
    server.script({paused, paused, unavailable, Reply::data(R"({"id":"1"})")});
    asio::io_context io;
    auto options = fast_options();
    options.retry.max_attempts = 2;
    auto client = make_client(io, server.url(), options);
    CHECK(data_id(run(io, client->get("/projects"))) == "1");
    CHECK(server.requests_to("/api/v1/projects").size() == 4);
}

TEST_CASE("transport: a connection dropped before the answer is retried") {
    FakeServer server;
    // The first drop is on the connection kept from the token POST: re-sent, not retried.
    // The second is on a fresh connection: a failed attempt.
    server.script({Reply::drop(), Reply::drop(), Reply::data(R"({"id":"2"})")});
    asio::io_context io;
    auto client = make_client(io, server.url());
    CHECK(data_id(run(io, client->get("/projects"))) == "2");
    CHECK(client->stats().retries == 1);
    CHECK(server.requests_to("/api/v1/projects").size() == 3);
    CHECK(server.connections() == 3);
}

TEST_CASE("transport: a truncated body is retried, if it persists it stays Retryable") {
    std::string whole = R"({"error":null,"data":{"id":"3"}})";
    FakeServer server;
    asio::io_context io;
    auto client = make_client(io, server.url());
    SUBCASE("recovers") {
        server.script(
            {Reply::truncated(whole.substr(0, 10), whole.size()), Reply::data(R"({"id":"3"})")});
        CHECK(data_id(run(io, client->get("/projects"))) == "3");
        CHECK(client->stats().retries == 1);
    }
    SUBCASE("gives up") {
        server.script(std::vector<Reply>(4, Reply::truncated(whole.substr(0, 10), whole.size())));
        auto error = http_error_of([&] { run(io, client->get("/projects")); });
        CHECK(error.cls() == ErrorClass::Retryable);
        CHECK(std::string(error.what()).find("broke off its answer to GET /projects") !=
              std::string::npos);
    }
}

TEST_CASE("transport: a 200 with invalid JSON counts as a failed attempt, and ends Malformed") {
    FakeServer server;
    Reply garbled;
    garbled.body = R"({"error":null,"data":[1,2)";
    asio::io_context io;
    auto client = make_client(io, server.url());
    SUBCASE("recovers") {
        server.script({garbled, Reply::data(R"({"id":"4"})")});
        CHECK(data_id(run(io, client->get("/projects"))) == "4");
        CHECK(client->stats().retries == 1);
    }
    SUBCASE("gives up after max_attempts") {
        server.script(std::vector<Reply>(4, garbled));
        auto error = http_error_of([&] { run(io, client->get("/projects")); });
        CHECK(error.cls() == ErrorClass::Malformed);
        CHECK(server.requests_to("/api/v1/projects").size() == 4);
    }
}

TEST_CASE("transport: many requests share one kept-alive connection") {
    FakeServer server;
    server.script(std::vector<Reply>(5, Reply::data(R"({"id":"1"})")));
    asio::io_context io;
    auto client = make_client(io, server.url());
    for (int i = 0; i < 5; ++i) {
        run(io, client->get("/projects"));
    }
    CHECK(server.connections() == 1);
    CHECK(client->stats().connections_opened == 1);
    CHECK(server.requests().size() == 6);  // the token POST and five GETs
}

TEST_CASE("transport: a kept-alive connection the server closed is re-sent, not retried") {
    FakeServer server;
    auto closing = Reply::data(R"({"id":"1"})");
    closing.close_silently = true;
    server.script({closing, Reply::data(R"({"id":"2"})")});
    asio::io_context io;
    auto client = make_client(io, server.url());
    run(io, client->get("/projects"));  // the token and this GET on one connection, then closed
    CHECK(data_id(run(io, client->get("/projects"))) == "2");
    CHECK(client->stats().retries == 0);
    CHECK(server.connections() == 2);
}

TEST_CASE("transport: a slow answer runs into the read timeout") {
    FakeServer server;
    auto slow = Reply::data(R"({"id":"1"})");
    slow.delay = 400ms;
    server.script({slow, slow});
    asio::io_context io;
    auto options = fast_options();
    options.read_timeout = 100ms;
    options.retry.max_attempts = 2;
    auto client = make_client(io, server.url(), options);
    auto started = std::chrono::steady_clock::now();
    auto error = http_error_of([&] { run(io, client->get("/projects")); });
    CHECK(std::chrono::steady_clock::now() - started < 1000ms);
    CHECK(error.cls() == ErrorClass::Retryable);
    CHECK(std::string(error.what())
              .find("did not answer GET /projects in time (read_timeout 100 ms") !=
          std::string::npos);
    CHECK(client->stats().retries == 1);
}

TEST_CASE("transport: a closed port is Unreachable after the retries") {
    std::uint16_t port;
    {
        asio::io_context probe;
        asio::ip::tcp::acceptor acceptor(probe, {asio::ip::make_address("127.0.0.1"), 0});
        port = acceptor.local_endpoint().port();
    }
    asio::io_context io;
    auto client = make_client(io, "http://127.0.0.1:" + std::to_string(port));
    auto error = http_error_of([&] { run(io, client->get("/projects")); });
    CHECK(error.cls() == ErrorClass::Unreachable);
    CHECK(error.status() == 0);
    CHECK(std::string(error.what()) ==
          "could not connect to 127.0.0.1:" + std::to_string(port) + ": connection refused");
    CHECK(client->stats().retries == 3);
}

TEST_CASE("transport: the read-only guard refuses writes before sending anything") {
    FakeServer server;
    asio::io_context io;
    auto client = make_client(io, server.url());
    CHECK_THROWS_WITH_AS(
        run(io, client->post_form("/projects", "project%5Bname%5D=x")),
        doctest::Contains("read-only client for acme refused to send POST /projects"),
        std::logic_error);
    CHECK_THROWS_AS(run(io, client->put_form("/projects/1", "a=b")), std::logic_error);
    CHECK_THROWS_AS(run(io, client->del("/projects/1")), std::logic_error);
    CHECK_THROWS_AS(run(io, client->post_file("/projects/1/tickets/2/notes/3/filesv2", "f.txt",
                                              "text/plain", "x")),
                    std::logic_error);
    CHECK_THROWS_AS(run(io, client->post_form("/oauth2/", "")), std::logic_error);
    CHECK(server.requests().empty());
    CHECK(client->stats().writes == 0);
}

TEST_CASE("transport: a read-write client sends forms and files and counts its writes") {
    FakeServer server;
    server.script({Reply::data(R"({"id":"7"})"), Reply::data(R"({"id":"8"})"),
                   Reply::data(R"({"id":"9"})"), Reply::data(R"({"id":"10"})")});
    asio::io_context io;
    auto client = make_client(io, server.url(), fast_options(), Access::ReadWrite);
    CHECK(data_id(run(io, client->post_form("/projects", "project%5Bname%5D=x")).value()) == "7");
    run(io, client->put_form("/projects/7", "project%5Bname%5D=y"));
    run(io, client->del("/projects/7"));
    run(io, client->post_file("/projects/1/tickets/2/notes/3/filesv2", "a\"b.txt", "text/plain",
                              "content"));
    auto posts = server.requests_to("/api/v1/projects");
    REQUIRE(posts.size() == 4);
    CHECK(posts[0].method == "POST");
    CHECK(posts[0].header("content-type") == "application/x-www-form-urlencoded");
    CHECK(posts[0].body == "project%5Bname%5D=x");
    CHECK(posts[1].method == "PUT");
    CHECK(posts[2].method == "DELETE");
    CHECK(posts[3].header("content-type").starts_with("multipart/form-data; boundary="));
    CHECK(posts[3].body.find("name=\"file\"; filename=\"a\\\"b.txt\"") != std::string::npos);
    auto stats = client->stats();
    CHECK(stats.writes == 4);
    CHECK(stats.requests_by_method["POST"] == 3);  // the token POST and two writes
    CHECK(stats.requests_by_method["PUT"] == 1);
    CHECK(stats.requests_by_method["DELETE"] == 1);
}

TEST_CASE("transport: requests in flight never exceed the account's or the daemon's limit") {
    FakeServer server;
    asio::io_context io;
    auto options = fast_options();
    options.max_connections = 3;
    std::vector<std::string> accounts{"acme"};
    int expected = 3;
    PacerOptions limits;
    SUBCASE("per account") {}
    SUBCASE("daemon") {
        limits.max_in_flight = 2;
        expected = 2;
    }
    SUBCASE("two accounts share the daemon's") {
        // Each may have 3 in flight, the two together 6: the daemon allows 4.
        accounts.push_back("beta");
        limits.max_in_flight = 4;
        expected = 4;
    }
    auto daemon = Pacer::create(io.get_executor(), limits);
    auto slow = Reply::data(R"({"id":"1"})");
    slow.delay = 40ms;
    server.script(std::vector<Reply>(12 * accounts.size(), slow));
    std::vector<std::unique_ptr<ApiClient>> clients;
    for (const auto& account : accounts) {
        options.account = account;
        clients.push_back(make_client(io, server.url(), options, Access::ReadOnly, daemon));
    }
    std::size_t done = 0;
    for (auto& client : clients) {
        for (int i = 0; i < 12; ++i) {
            asio::co_spawn(
                io,
                [&]() -> asio::awaitable<void> {
                    co_await client->get("/projects");
                    ++done;
                },
                asio::detached);
        }
    }
    io.run();
    CHECK(done == 12 * accounts.size());
    CHECK(server.max_in_flight() == expected);
    // One shared token fetch per account.
    CHECK(server.requests_to("/api/v1/oauth2/").size() == accounts.size());
}

TEST_CASE("transport: download streams the body in chunks") {
    std::string body(1 << 20, 'x');
    for (std::size_t i = 0; i < body.size(); i += 4099) {
        body[i] = static_cast<char>('a' + i % 26);
    }
    FakeServer server;
    Reply file;
    file.content_type = "application/octet-stream";
    file.body = body;
    server.script({file});
    asio::io_context io;
    auto client = make_client(io, server.url());
    std::string got;
    int chunks = 0;
    int restarts = 0;
    auto size = run(io, client->download(
                            "/files/1/download",
                            [&](std::string_view chunk) {
                                got.append(chunk);
                                ++chunks;
                            },
                            [&] { ++restarts; }));
    CHECK(size == body.size());
    CHECK(got == body);
    CHECK(chunks > 1);
    CHECK(restarts == 0);
}

TEST_CASE("transport: a download cut short restarts the sink and completes") {
    std::string body(100000, 'y');
    FakeServer server;
    Reply whole;
    whole.content_type = "application/octet-stream";
    whole.body = body;
    server.script({Reply::truncated(body.substr(0, 30000), body.size()), whole});
    asio::io_context io;
    auto client = make_client(io, server.url());
    std::string got;
    int restarts = 0;
    auto size = run(io, client->download(
                            "/files/1/download", [&](std::string_view chunk) { got.append(chunk); },
                            [&] {
                                ++restarts;
                                got.clear();
                            }));
    CHECK(restarts == 1);
    CHECK(size == body.size());
    CHECK(got == body);
}

TEST_CASE("transport: a download answered 404 is Permanent and writes nothing") {
    FakeServer server;
    server.script({Reply::error(404, "File not found")});
    asio::io_context io;
    auto client = make_client(io, server.url());
    std::string got;
    auto error = http_error_of([&] {
        run(io, client->download("/files/1/download",
                                 [&](std::string_view chunk) { got.append(chunk); }, {}));
    });
    CHECK(error.cls() == ErrorClass::Permanent);
    CHECK(got.empty());
}
