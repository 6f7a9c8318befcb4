#include <utility>

#include <doctest/doctest.h>

#include "client_fixture.hpp"

namespace asio = boost::asio;
using namespace smartq::http;
using namespace smartq::http::testing;

namespace {

const std::string basic_value = "Basic YWRtaW5AYWNtZS5leGFtcGxlOnMzY3JldC1wYXNz";  // login:password

bool is_token_post(const SeenRequest& request) {
    return request.method == "POST" && request.target == "/api/v1/oauth2/";
}

void check_no_secret(const HttpError& error) {
    std::string message = error.what();
    CHECK(message.find(test_credentials.password) == std::string::npos);
    CHECK(message.find(test_credentials.api_key) == std::string::npos);
}

}  // namespace

TEST_CASE("auth: the first token comes from a Basic login with the key") {
    FakeServer server;
    server.script({Reply::data("{}")});
    asio::io_context io;
    auto client = make_client(io, server.url());
    run(io, client->get("/projects"));
    auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(is_token_post(seen[0]));
    CHECK(seen[0].header("authorization") == basic_value);
    CHECK(seen[0].header("x-auth-client-id") == test_credentials.api_key);
    CHECK(seen[1].header("x-authorization") == "OAUTH2 tok1");
}

TEST_CASE("auth: an expired token is refreshed and the request re-sent once") {
    FakeServer server;
    int token_posts = 0;
    server.handle([&](const SeenRequest& request) {
        if (is_token_post(request)) {
            ++token_posts;
            if (request.header("x-authorization") == "OAUTH2 ref1") {
                return Reply::token("tok2", "ref2");
            }
            return Reply::token("tok1", "ref1");
        }
        if (request.header("x-authorization") == "OAUTH2 tok2") {
            return Reply::data(R"({"id":"ok"})");
        }
        return Reply::error(401, "Token expired");
    });
    asio::io_context io;
    auto client = make_client(io, server.url());
    run(io, client->get("/projects"));
    auto seen = server.requests();
    REQUIRE(seen.size() == 4);
    CHECK(seen[1].header("x-authorization") == "OAUTH2 tok1");
    CHECK(is_token_post(seen[2]));
    CHECK(seen[2].header("x-authorization") == "OAUTH2 ref1");
    CHECK(seen[2].header("authorization").empty());  // a refresh carries no password
    CHECK(seen[2].header("x-auth-client-id") == test_credentials.api_key);
    CHECK(seen[3].header("x-authorization") == "OAUTH2 tok2");
    CHECK(client->stats().retries == 0);
}

TEST_CASE("auth: a refused refresh falls back to a Basic login") {
    FakeServer server;
    int logins = 0;
    server.handle([&](const SeenRequest& request) {
        if (is_token_post(request)) {
            if (!request.header("x-authorization").empty()) {
                return Reply::error(401, "Invalid refresh token");
            }
            ++logins;
            return Reply::token("tok" + std::to_string(logins), "ref");
        }
        if (request.header("x-authorization") == "OAUTH2 tok2") {
            return Reply::data("{}");
        }
        return Reply::error(401, "Token expired");
    });
    asio::io_context io;
    auto client = make_client(io, server.url());
    run(io, client->get("/projects"));
    CHECK(logins == 2);
    auto seen = server.requests();
    REQUIRE(seen.size() == 5);  // login, GET, refresh, login, GET
    CHECK(seen[3].header("authorization") == basic_value);
    CHECK(seen[4].header("x-authorization") == "OAUTH2 tok2");
}

TEST_CASE("auth: a token that is refused even fresh is AuthRefused, not a loop") {
    FakeServer server;
    server.handle([&](const SeenRequest& request) {
        if (is_token_post(request)) {
            return Reply::token("tok", "ref");
        }
        return Reply::error(401, "Unauthorized");
    });
    asio::io_context io;
    auto client = make_client(io, server.url());
    auto error = http_error_of([&] { run(io, client->get("/projects")); });
    CHECK(error.cls() == ErrorClass::AuthRefused);
    CHECK(server.requests_to("/api/v1/projects").size() == 2);
    check_no_secret(error);
}

TEST_CASE("auth: an invalid API key is AuthRefused at once and names the key, not its value") {
    FakeServer server;
    server.handle([](const SeenRequest&) {
        return Reply::error(401, "Authorization failed, invalid client id");
    });
    asio::io_context io;
    auto client = make_client(io, server.url());
    auto error = http_error_of([&] { run(io, client->get("/projects")); });
    CHECK(error.cls() == ErrorClass::AuthRefused);
    CHECK(std::string(error.what()) ==
          "the API key for acme was refused by 127.0.0.1:" + std::to_string(server.port()) +
              " (401 Authorization failed, invalid client id)");
    CHECK(server.requests().size() == 1);
    check_no_secret(error);
}

TEST_CASE("auth: an invalid API key on a data request with a valid token is AuthRefused") {
    FakeServer server;
    server.script({Reply::error(401, "Authorization failed, invalid client id")});
    asio::io_context io;
    auto client = make_client(io, server.url());
    auto error = http_error_of([&] { run(io, client->get("/projects")); });
    CHECK(error.cls() == ErrorClass::AuthRefused);
    CHECK(std::string(error.what()).starts_with("the API key for acme was refused"));
    CHECK(server.requests().size() == 2);
}

TEST_CASE("auth: a refused login says so without the password") {
    FakeServer server;
    server.handle([](const SeenRequest&) { return Reply::error(401, "Wrong login or password"); });
    asio::io_context io;
    auto client = make_client(io, server.url());
    auto error = http_error_of([&] { run(io, client->get("/projects")); });
    CHECK(error.cls() == ErrorClass::AuthRefused);
    CHECK(std::string(error.what()) == "login admin@acme.example was refused by 127.0.0.1:" +
                                           std::to_string(server.port()) + " (wrong password?)");
    CHECK(server.requests().size() == 1);
    check_no_secret(error);
}

TEST_CASE("auth: without a token endpoint every request carries Basic auth") {
    FakeServer server;
    server.handle([](const SeenRequest& request) {
        if (is_token_post(request)) {
            return Reply::error(405, "method \"POST\" not found for resource \"oauth2\"");
        }
        return Reply::data("{}");
    });
    asio::io_context io;
    auto client = make_client(io, server.url());
    run(io, client->get("/projects"));
    run(io, client->get("/users"));
    auto seen = server.requests();
    REQUIRE(seen.size() == 3);
    CHECK(seen[1].header("authorization") == basic_value);
    CHECK(seen[2].header("authorization") == basic_value);
    CHECK(seen[2].header("x-authorization").empty());
}

TEST_CASE("auth: with Basic auth a 401 is a refused login") {
    FakeServer server;
    server.handle([](const SeenRequest& request) {
        if (is_token_post(request)) {
            return Reply::error(404, "not found");
        }
        return Reply::error(401, "Unauthorized");
    });
    asio::io_context io;
    auto client = make_client(io, server.url());
    auto error = http_error_of([&] { run(io, client->get("/projects")); });
    CHECK(error.cls() == ErrorClass::AuthRefused);
    CHECK(std::string(error.what()).starts_with("login admin@acme.example was refused"));
}

TEST_CASE("auth: a read-only client may still POST for its token, and nothing else") {
    FakeServer server;
    server.script({Reply::data("{}")});
    asio::io_context io;
    auto client = make_client(io, server.url());
    run(io, client->get("/projects"));
    auto stats = client->stats();
    CHECK(stats.requests_by_method["POST"] == 1);
    CHECK(stats.requests_by_method["GET"] == 1);
    CHECK(stats.writes == 0);
}
