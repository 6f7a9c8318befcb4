// Injected faults over HTTP: each one as a client sees it, switched at start
// and at run time, never on the admin API.
#include <doctest/doctest.h>

#include <thread>

#include "server_json.hpp"
#include "support/sandbox_fixture.hpp"

using namespace smartq;
using namespace smartq::test;

namespace {

sandbox::ServerOptions with_faults(sandbox::Faults faults) {
    sandbox::ServerOptions options;
    options.faults = faults;
    return options;
}

std::int64_t injected(const SandboxFixture& sandbox, const char* kind) {
    Json stats(sandbox.admin("GET", "stats").body);
    std::int64_t count = 0;
    return stats.root["faults_injected"][kind].get(count) == simdjson::SUCCESS ? count : 0;
}

}  // namespace

TEST_CASE("error faults answer 500/502/503 with an HTML body at about the rate") {
    sandbox::Faults faults;
    faults.error_rate = 0.3;
    faults.seed = 7;
    SandboxFixture sandbox(with_faults(faults));
    HttpConnection connection(sandbox.port());
    int errors = 0;
    for (int i = 0; i < 200; ++i) {
        auto response = connection.request("GET", "/api/v1/users/me", sandbox.auth_headers());
        REQUIRE(response.complete());
        if (response.status == 200) {
            continue;
        }
        ++errors;
        CHECK((response.status == 500 || response.status == 502 || response.status == 503));
        CHECK(response.header("Content-Type") == "text/html");
        CHECK(response.body.rfind("<html>", 0) == 0);
    }
    CHECK(errors > 40);
    CHECK(errors < 80);
    CHECK(injected(sandbox, "error") == errors);
}

TEST_CASE("the rate limit answers 429 with Retry-After, and the admin API is never limited") {
    sandbox::Faults faults;
    faults.rate_limit = 5;
    SandboxFixture sandbox(with_faults(faults));
    HttpConnection connection(sandbox.port());
    int ok = 0, limited = 0;
    for (int i = 0; i < 12; ++i) {
        auto response = connection.request("GET", "/api/v1/users/me", sandbox.auth_headers());
        if (response.status == 429) {
            ++limited;
            CHECK(response.header("Retry-After") == "1");
            check_error(response, 429);
        } else {
            ++ok;
        }
    }
    // The 12 requests fit in one second or, at worst, straddle two windows.
    CHECK(ok >= 5);
    CHECK(ok <= 10);
    CHECK(limited == 12 - ok);
    for (int i = 0; i < 10; ++i) {
        REQUIRE(sandbox.admin("GET", "health").status == 200);
    }
}

TEST_CASE("a dropped request closes the connection without an answer") {
    sandbox::Faults faults;
    faults.drop_rate = 1;
    SandboxFixture sandbox(with_faults(faults));
    HttpConnection connection(sandbox.port());
    auto response = connection.request("GET", "/api/v1/users/me", sandbox.auth_headers());
    CHECK(response.status == 0);
    CHECK(response.error.find("connection closed") != std::string::npos);
    CHECK_FALSE(connection.is_open());
    CHECK(injected(sandbox, "drop") == 1);
}

TEST_CASE("a truncated answer has a Content-Length and less body, then the connection closes") {
    sandbox::Faults faults;
    faults.truncate_rate = 1;
    SandboxFixture sandbox(with_faults(faults));
    HttpConnection connection(sandbox.port());
    auto response = connection.request("GET", "/api/v1/users", sandbox.auth_headers());
    CHECK(response.status == 200);
    REQUIRE(response.header("Content-Length").has_value());
    const auto length = std::stoull(*response.header("Content-Length"));
    CHECK(length > 0);
    CHECK(response.body.size() < length);
    CHECK_FALSE(response.complete());
    CHECK_FALSE(connection.is_open());
}

TEST_CASE("latency delays API answers, not admin answers") {
    sandbox::Faults faults;
    faults.latency_ms = 150;
    SandboxFixture sandbox(with_faults(faults));
    auto timed = [](auto&& call) {
        const auto start = std::chrono::steady_clock::now();
        call();
        return std::chrono::steady_clock::now() - start;
    };
    CHECK(timed([&] { sandbox.api("GET", "/users/me"); }) >= std::chrono::milliseconds(150));
    CHECK(timed([&] { sandbox.admin("GET", "health"); }) < std::chrono::milliseconds(100));
}

TEST_CASE("latency does not block other connections") {
    sandbox::Faults faults;
    faults.latency_ms = 300;
    SandboxFixture sandbox(with_faults(faults));
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> clients;
    for (int i = 0; i < 4; ++i) {
        clients.emplace_back([&] { CHECK(sandbox.api("GET", "/users/me").status == 200); });
    }
    for (auto& client : clients) {
        client.join();
    }
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1000));
}

TEST_CASE("faults are switched at run time, missing keys stay unchanged") {
    SandboxFixture sandbox;
    CHECK(sandbox.api("GET", "/users/me").status == 200);
    auto set = sandbox.admin("POST", "faults", R"({"error_rate":1,"latency_ms":1})");
    REQUIRE(set.status == 200);
    Json settings(set.body);
    CHECK(settings.root["error_rate"].get_double().value() == 1.0);
    CHECK(settings.root["latency_ms"].get_int64().value() == 1);
    CHECK(sandbox.api("GET", "/users/me").status >= 500);
    REQUIRE(sandbox.admin("POST", "faults", R"({"error_rate":0})").status == 200);
    Json read(sandbox.admin("GET", "faults").body);
    CHECK(read.root["latency_ms"].get_int64().value() == 1);
    CHECK(sandbox.api("GET", "/users/me").status == 200);

    for (const char* bad : {"not json", R"({"error_rate":2})", R"({"bogus":1})"}) {
        CAPTURE(bad);
        CHECK(sandbox.admin("POST", "faults", bad).status == 400);
    }
    CHECK(Json(sandbox.admin("GET", "faults").body).root["error_rate"].get_double().value() == 0);
}

TEST_CASE("a forbidden route is answered 403 with the guide's envelope, other routes are not") {
    SandboxFixture sandbox;
    REQUIRE(sandbox.admin("POST", "faults", R"({"forbidden_route":"GET /projects"})").status ==
            200);
    auto refused = sandbox.api("GET", "/projects");
    CHECK(refused.status == 403);
    CHECK(Json(refused.body).root["error"]["message"].is_string());
    CHECK(sandbox.api("GET", "/users/me").status == 200);
    CHECK(sandbox.admin("POST", "faults", R"({"forbidden_route":1})").status == 400);
    REQUIRE(sandbox.admin("POST", "faults", R"({"forbidden_route":""})").status == 200);
    CHECK(sandbox.api("GET", "/projects").status == 200);
}

TEST_CASE("the same fault seed gives the same sequence of answers") {
    auto statuses = [](std::uint64_t seed) {
        sandbox::Faults faults;
        faults.error_rate = 0.5;
        faults.seed = seed;
        SandboxFixture sandbox(with_faults(faults));
        std::vector<unsigned> result;
        for (int i = 0; i < 30; ++i) {
            result.push_back(sandbox.api("GET", "/users/me").status);
        }
        return result;
    };
    CHECK(statuses(3) == statuses(3));
    CHECK(statuses(3) != statuses(4));
}
