// Authentication as the guide and wire-notes.md describe it, over HTTP.
#include <doctest/doctest.h>

#include <thread>

#include "server_json.hpp"
#include "support/sandbox_fixture.hpp"

using namespace smartq;
using namespace smartq::test;

namespace {

const auto key = std::pair<std::string, std::string>{"X-Auth-Client-Id", "sandbox-key"};
const auto basic = basic_auth("admin@sandbox.test", "sandbox-password");

std::string message_of(const HttpResponse& response) {
    return std::string(Json(response.body).root["error"]["message"].get_string().value());
}

struct Pair {
    std::string access, refresh;
    std::int64_t expires_in;
};

Pair token_pair(const HttpResponse& response) {
    CAPTURE(response.body);
    REQUIRE(response.status == 200);
    Json json(response.body);
    auto data = json.root["data"];
    CHECK(std::string(data["token_type"].get_string().value()) == "bearer");
    return {std::string(data["access_token"].get_string().value()),
            std::string(data["refresh_token"].get_string().value()),
            data["expires_in"].get_int64().value()};
}

Headers oauth2(const std::string& token) {
    return {key, {"X-Authorization", "OAUTH2 " + token}};
}

}  // namespace

TEST_CASE("the API key is accepted as a header or as a query parameter") {
    SandboxFixture sandbox;
    CHECK(http(sandbox.port(), "GET", "/api/v1/users/me", {key, basic}).status == 200);
    CHECK(http(sandbox.port(), "GET", "/api/v1/users/me?X_AUTH_CLIENT_ID=sandbox-key", {basic})
              .status == 200);
}

TEST_CASE("a missing or wrong API key is the guide's invalid client id") {
    SandboxFixture sandbox;
    for (const auto& headers : {Headers{basic}, Headers{{"X-Auth-Client-Id", "wrong"}, basic},
                                Headers{{"X-Auth-Client-Id", ""}, basic}}) {
        auto response = http(sandbox.port(), "GET", "/api/v1/users/me", headers);
        check_error(response, 401);
        CHECK(message_of(response) == "Authorization failed, invalid client id");
    }
    auto by_parameter =
        http(sandbox.port(), "GET", "/api/v1/users/me?X_AUTH_CLIENT_ID=wrong", {basic});
    CHECK(message_of(by_parameter) == "Authorization failed, invalid client id");
    // A wrong key is refused even for the token endpoint.
    check_error(http(sandbox.port(), "POST", "/api/v1/oauth2/", {{"X-Auth-Client-Id", "x"}, basic}),
                401);
}

TEST_CASE("wrong, malformed or missing credentials are 401") {
    SandboxFixture sandbox;
    for (const auto& headers : {Headers{key, basic_auth("admin@sandbox.test", "wrong")},
                                Headers{key, basic_auth("nobody@sandbox.test", "sandbox-password")},
                                Headers{key, {"Authorization", "Basic !!!!"}},
                                Headers{key, {"Authorization", "Digest x"}}, Headers{key},
                                Headers{key, {"X-Authorization", "OAUTH2 not-a-token"}}}) {
        check_error(http(sandbox.port(), "GET", "/api/v1/users/me", headers), 401);
    }
    auto wrong = http(sandbox.port(), "GET", "/api/v1/users/me",
                      {key, basic_auth("admin@sandbox.test", "wrong")});
    CHECK(message_of(wrong) == "Authorization failed, invalid login or password");
}

TEST_CASE("other credentials can be configured") {
    sandbox::ServerOptions options;
    options.login = "me@example.org";
    options.password = "pa:ss word";
    options.api_key = "k2";
    SandboxFixture sandbox(options);
    CHECK(http(sandbox.port(), "GET", "/api/v1/users/me",
               {{"X-Auth-Client-Id", "k2"}, basic_auth("me@example.org", "pa:ss word")})
              .status == 200);
    check_error(http(sandbox.port(), "GET", "/api/v1/users/me", {key, basic}), 401);
}

TEST_CASE("OAuth2: Basic gives a token pair, the access token authenticates") {
    SandboxFixture sandbox;
    for (const char* path : {"/api/v1/oauth2/", "/api/v1/oauth2"}) {
        auto pair = token_pair(http(sandbox.port(), "POST", path, {key, basic}));
        CHECK(pair.expires_in == 3600);
        CHECK(pair.access != pair.refresh);
        CHECK(http(sandbox.port(), "GET", "/api/v1/users/me", oauth2(pair.access)).status == 200);
        // The guide writes the header without a space: "X-Authorization:OAUTH2 <token>".
        CHECK(http(sandbox.port(), "GET", "/api/v1/users/me",
                   {key, {"X-Authorization", "oauth2   " + pair.access}})
                  .status == 200);
        // A refresh token is not an access token.
        check_error(http(sandbox.port(), "GET", "/api/v1/users/me", oauth2(pair.refresh)), 401);
    }
    check_error(http(sandbox.port(), "POST", "/api/v1/oauth2/", {key}), 401);
    check_error(http(sandbox.port(), "POST", "/api/v1/oauth2/",
                     {key, basic_auth("admin@sandbox.test", "nope")}),
                401);
}

TEST_CASE("OAuth2 refresh gives a new pair and invalidates the old refresh token") {
    SandboxFixture sandbox;
    auto first = token_pair(http(sandbox.port(), "POST", "/api/v1/oauth2/", {key, basic}));
    auto second =
        token_pair(http(sandbox.port(), "POST", "/api/v1/oauth2/", oauth2(first.refresh)));
    CHECK(second.access != first.access);
    CHECK(second.refresh != first.refresh);
    CHECK(http(sandbox.port(), "GET", "/api/v1/users/me", oauth2(second.access)).status == 200);
    auto reused = http(sandbox.port(), "POST", "/api/v1/oauth2/", oauth2(first.refresh));
    check_error(reused, 401);
    CHECK(message_of(reused) == "Authorization failed, invalid refresh token");
    check_error(http(sandbox.port(), "POST", "/api/v1/oauth2/",
                     {{"X-Authorization", "OAUTH2 " + second.refresh}}),
                401);
}

TEST_CASE("access tokens expire after the token ttl, refresh still works") {
    sandbox::ServerOptions options;
    options.token_ttl = std::chrono::seconds(1);
    SandboxFixture sandbox(options);
    auto pair = token_pair(http(sandbox.port(), "POST", "/api/v1/oauth2/", {key, basic}));
    CHECK(pair.expires_in == 1);
    CHECK(http(sandbox.port(), "GET", "/api/v1/users/me", oauth2(pair.access)).status == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    auto expired = http(sandbox.port(), "GET", "/api/v1/users/me", oauth2(pair.access));
    check_error(expired, 401);
    CHECK(message_of(expired) == "Authorization failed, token expired");
    auto renewed =
        token_pair(http(sandbox.port(), "POST", "/api/v1/oauth2/", oauth2(pair.refresh)));
    CHECK(http(sandbox.port(), "GET", "/api/v1/users/me", oauth2(renewed.access)).status == 200);
}
