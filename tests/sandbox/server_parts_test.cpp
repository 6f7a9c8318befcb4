// Unit tests of the server's parts that need no socket: targets, routes,
// statistics, fault decisions and Basic credentials.
#include <doctest/doctest.h>
#include <simdjson.h>

#include <algorithm>
#include <set>

#include "sandbox/auth.hpp"
#include "sandbox/faults.hpp"
#include "sandbox/server_target.hpp"
#include "sandbox/stats.hpp"

using namespace smartq::sandbox;

TEST_CASE("targets split into path and query, segments are percent-decoded") {
    auto target = split_target("/api/v1/projects?count=5&x=a%20b");
    CHECK(target.path == "/api/v1/projects");
    CHECK(target.query == "count=5&x=a%20b");
    CHECK(split_target("/a").query.empty());
    CHECK(path_segments("/projects/a%2Fb//tickets/") ==
          std::vector<std::string>{"projects", "a/b", "tickets"});
    CHECK(path_segments("/x+y") == std::vector<std::string>{"x+y"});
    CHECK(path_segments("/").empty());
    std::string_view path = "/api/v1/users";
    CHECK(strip_prefix(path, "/api/v1"));
    CHECK(path == "/users");
    std::string_view other = "/api/v10/users";
    CHECK_FALSE(strip_prefix(other, "/api/v1"));
    CHECK(other == "/api/v10/users");
}

TEST_CASE("route templates replace ids and field names") {
    CHECK(route_template("GET", {"projects", "12", "tickets"}) == "GET /projects/{id}/tickets");
    CHECK(route_template("GET", {"users", "me"}) == "GET /users/me");
    CHECK(route_template("PUT", {"projects", "1", "custom_fields", "f3", "values", "9"}) ==
          "PUT /projects/{id}/custom_fields/{name}/values/{id}");
    CHECK(route_template("GET", {}) == "GET /");
}

TEST_CASE("stats count by route, method and status and reset to zero") {
    Stats stats;
    stats.record("GET", "GET /users", 200);
    stats.record("GET", "GET /users", 401);
    stats.record("POST", "POST /oauth2", 200);
    CHECK(stats.total() == 3);
    simdjson::dom::parser parser;
    auto json = stats.to_json({{"drop", 2}});
    auto root = parser.parse(json);
    CHECK(root["by_route"]["GET /users"].get_int64().value() == 2);
    CHECK(root["by_method"]["POST"].get_int64().value() == 1);
    CHECK(root["by_status"]["401"].get_int64().value() == 1);
    CHECK(root["faults_injected"]["drop"].get_int64().value() == 2);
    stats.reset();
    CHECK(stats.total() == 0);
    CHECK(stats.to_json({}).find("GET /users") == std::string::npos);
}

TEST_CASE("fault rates are met by a fixed seed, and the seed fixes the sequence") {
    Faults faults;
    faults.error_rate = 0.2;
    faults.drop_rate = 0.1;
    faults.truncate_rate = 0.05;
    faults.seed = 42;
    auto run = [&] {
        FaultInjector injector(faults);
        std::vector<FaultKind> kinds;
        for (int i = 0; i < 10000; ++i) {
            kinds.push_back(injector.decide(std::chrono::steady_clock::now()).kind);
        }
        return kinds;
    };
    auto kinds = run();
    auto share = [&](FaultKind kind) {
        return static_cast<double>(std::count(kinds.begin(), kinds.end(), kind)) / kinds.size();
    };
    CHECK(share(FaultKind::Error) == doctest::Approx(0.2).epsilon(0.1));
    CHECK(share(FaultKind::Drop) == doctest::Approx(0.1).epsilon(0.15));
    CHECK(share(FaultKind::Truncate) == doctest::Approx(0.05).epsilon(0.2));
    CHECK(run() == kinds);
    faults.seed = 43;
    CHECK(run() != kinds);
}

TEST_CASE("error faults use 500, 502 and 503") {
    Faults faults;
    faults.error_rate = 1;
    FaultInjector injector(faults);
    std::set<unsigned> statuses;
    for (int i = 0; i < 200; ++i) {
        auto decision = injector.decide(std::chrono::steady_clock::now());
        REQUIRE(decision.kind == FaultKind::Error);
        statuses.insert(decision.error_status);
    }
    CHECK(statuses == std::set<unsigned>{500, 502, 503});
    CHECK(injector.injected().at("error") == 200);
    CHECK(html_error_page(502).find("<h1>502 Bad Gateway</h1>") != std::string::npos);
}

TEST_CASE("the rate limit refuses what exceeds N in a second, then lets through again") {
    Faults faults;
    faults.rate_limit = 3;
    FaultInjector injector(faults);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) {
        CHECK(injector.decide(start).kind == FaultKind::None);
    }
    CHECK(injector.decide(start).kind == FaultKind::RateLimited);
    CHECK(injector.decide(start + std::chrono::milliseconds(999)).kind == FaultKind::RateLimited);
    CHECK(injector.decide(start + std::chrono::milliseconds(1000)).kind == FaultKind::None);
    CHECK(injector.injected().at("rate_limit") == 2);
}

TEST_CASE("faults from JSON change only the given keys and refuse bad input") {
    Faults base;
    base.latency_ms = 5;
    auto changed = faults_from_json(R"({"error_rate":0.5,"rate_limit":10})", base);
    CHECK(changed.latency_ms == 5);
    CHECK(changed.error_rate == 0.5);
    CHECK(changed.rate_limit == 10);
    auto round_trip = faults_from_json(faults_to_json(changed), Faults{});
    CHECK(round_trip.error_rate == 0.5);
    CHECK(round_trip.latency_ms == 5);
    for (const char* bad :
         {"", "[]", "{", R"({"error_rate":"0.5"})", R"({"error_rate":1.5})",
          R"({"error_rate":-0.1})", R"({"latency_ms":-1})", R"({"latency_ms":1.5})",
          R"({"no_such_fault":1})", R"({"error_rate":0.6,"drop_rate":0.6})", R"({"seed":-1})"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(faults_from_json(bad, base), std::invalid_argument);
    }
}

TEST_CASE("Basic credentials are decoded, and anything else is refused") {
    auto login = parse_basic("Basic YWRtaW5Ac2FuZGJveC50ZXN0OnA6dw==");
    REQUIRE(login.has_value());
    CHECK(login->first == "admin@sandbox.test");
    CHECK(login->second == "p:w");
    CHECK(parse_basic("basic YTpi")->first == "a");
    CHECK_FALSE(parse_basic("Bearer YTpi").has_value());
    CHECK_FALSE(parse_basic("Basic ").has_value());
    CHECK_FALSE(parse_basic("Basic YWJj").has_value());   // "abc": no colon
    CHECK_FALSE(parse_basic("Basic YTpi!").has_value());  // not base64 length
    CHECK_FALSE(parse_basic("Basic ****").has_value());   // not base64
}
