// Writes go out once; answers are bounded in size and in time.
#include <utility>

#include <doctest/doctest.h>

#include <chrono>

#include "client_fixture.hpp"

namespace asio = boost::asio;
using namespace smartq::http;
using namespace smartq::http::testing;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<ApiClient> writer(boost::asio::io_context& io, const FakeServer& server,
                                  ClientOptions options = fast_options()) {
    return make_client(io, server.url(), std::move(options), Access::ReadWrite);
}

std::size_t posts_to_projects(const FakeServer& server) {
    std::size_t count = 0;
    for (const auto& seen : server.requests_to("/api/v1/projects")) {
        count += seen.method == "POST";
    }
    return count;
}

}  // namespace

TEST_CASE("writes: a POST whose answer is lost is sent once and comes back OutcomeUnknown") {
    FakeServer server;
    asio::io_context io;
    auto client = writer(io, server);
    SUBCASE("the connection dropped after the server read it") {
        server.script({Reply::drop(), Reply::data(R"({"id":"1"})")});
    }
    SUBCASE("a 502 page") {
        server.script({Reply::html(502), Reply::data(R"({"id":"1"})")});
    }
    SUBCASE("a 200 whose body is cut short") {
        std::string whole = R"({"error":null,"data":{"id":"1"}})";
        server.script(
            {Reply::truncated(whole.substr(0, 10), whole.size()), Reply::data(R"({"id":"1"})")});
    }
    auto error = http_error_of([&] { run(io, client->post_form("/projects", "a=b")); });
    CHECK(error.cls() == ErrorClass::OutcomeUnknown);
    CHECK(std::string(error.what()).find("may have carried out POST /projects") !=
          std::string::npos);
    CHECK(posts_to_projects(server) == 1);
    CHECK(client->stats().retries == 0);
}

TEST_CASE("writes: a POST on a kept-alive connection the server closed is not sent again") {
    FakeServer server;
    auto closing = Reply::data(R"({"id":"1"})");
    closing.close_silently = true;
    server.script({closing, Reply::data(R"({"id":"2"})")});
    asio::io_context io;
    auto client = writer(io, server);
    run(io, client->get("/projects"));  // leaves a connection the server has closed
    auto error = http_error_of([&] { run(io, client->post_form("/projects", "a=b")); });
    CHECK(error.cls() == ErrorClass::OutcomeUnknown);
    CHECK(posts_to_projects(server) == 0);
    CHECK(server.connections() == 1);
}

TEST_CASE("writes: a 429 or a refused connection is sent again: nothing was carried out") {
    FakeServer server;
    auto limited = Reply::error(429, "slow down");
    limited.headers.push_back({"Retry-After", "0"});
    server.script({limited, Reply::data(R"({"id":"5"})")});
    asio::io_context io;
    auto client = writer(io, server);
    auto answer = run(io, client->post_form("/projects", "a=b"));
    REQUIRE(answer);
    std::string_view id;
    REQUIRE(answer->data()["id"].get(id) == simdjson::SUCCESS);
    CHECK(id == "5");
    CHECK(posts_to_projects(server) == 2);
}

TEST_CASE("limits: an answer whose Content-Length is over max_answer_size is not read") {
    FakeServer server;
    std::string big(8192, ' ');
    auto huge = Reply::data(R"({"id":"1"})");
    huge.body = R"({"error":null,"data":{"id":"1"}})" + big;
    server.script(std::vector<Reply>(4, huge));
    asio::io_context io;
    auto options = fast_options();
    options.max_answer_size = 4096;
    auto client = make_client(io, server.url(), options);
    auto error = http_error_of([&] { run(io, client->get("/projects")); });
    CHECK(error.cls() == ErrorClass::Malformed);
    CHECK(std::string(error.what()).find("more than max_answer_size (4096 bytes)") !=
          std::string::npos);
    // Only the token's answer was read: nothing past the head of any attempt.
    CHECK(client->stats().bytes_received < 200);
    CHECK(server.requests_to("/api/v1/projects").size() == 4);
}

TEST_CASE("limits: request_timeout ends an answer that read_timeout alone would wait for") {
    FakeServer server;
    auto slow = Reply::data(R"({"id":"1"})");
    slow.delay = 1500ms;
    server.script({slow, slow});
    asio::io_context io;
    auto options = fast_options();
    options.read_timeout = 5000ms;
    options.request_timeout = 200ms;
    options.retry.max_attempts = 2;
    auto client = make_client(io, server.url(), options);
    auto started = std::chrono::steady_clock::now();
    auto error = http_error_of([&] { run(io, client->get("/projects")); });
    // Two attempts of 200 ms and a back-off of at most 5 ms: far under one slow answer.
    CHECK(std::chrono::steady_clock::now() - started < 1400ms);
    CHECK(error.cls() == ErrorClass::Retryable);
    CHECK(std::string(error.what()).find("request_timeout 200 ms") != std::string::npos);
}

TEST_CASE("limits: an unloadable ca_file is Misconfigured") {
    asio::io_context io;
    auto options = fast_options();
    options.ca_file = "/nonexistent/ca.pem";
    auto error = http_error_of([&] { make_client(io, "https://localhost:1", options); });
    CHECK(error.cls() == ErrorClass::Misconfigured);
}
