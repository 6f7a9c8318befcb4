// The admin API over HTTP: health, stats, reset, mutate, dump, compare, wire.
#include <doctest/doctest.h>

#include "server_json.hpp"
#include "support/sandbox_fixture.hpp"

using namespace smartq;
using namespace smartq::test;

TEST_CASE("health answers ok, unknown routes and methods are refused") {
    SandboxFixture sandbox;
    auto health = sandbox.admin("GET", "health");
    CHECK(health.status == 200);
    CHECK(health.body == R"({"status":"ok"})");
    CHECK(sandbox.admin("GET", "nothing").status == 404);
    CHECK(sandbox.admin("POST", "health").status == 405);
    CHECK(sandbox.admin("GET", "reset").status == 405);
    CHECK(sandbox.admin("DELETE", "faults").status == 405);
}

TEST_CASE("stats count API requests by route template, method and status, reset zeroes them") {
    SandboxFixture sandbox;
    sandbox.api("GET", "/users/me");
    sandbox.api("GET", "/projects");
    Json projects(sandbox.api("GET", "/projects").body);
    const auto id = std::to_string(id_of(first_item(projects.root["data"])["id"]));
    sandbox.api("GET", "/projects/" + id + "/tickets");
    http(sandbox.port(), "GET", "/api/v1/users/me");  // no credentials: 401
    sandbox.admin("GET", "health");                   // not counted

    Json stats(sandbox.admin("GET", "stats").body);
    CHECK(stats.root["total"].get_int64().value() == 5);
    CHECK(stats.root["by_route"]["GET /users/me"].get_int64().value() == 2);
    CHECK(stats.root["by_route"]["GET /projects"].get_int64().value() == 2);
    CHECK(stats.root["by_route"]["GET /projects/{id}/tickets"].get_int64().value() == 1);
    CHECK(stats.root["by_method"]["GET"].get_int64().value() == 5);
    CHECK(stats.root["by_status"]["401"].get_int64().value() == 1);

    REQUIRE(sandbox.admin("POST", "reset").status == 200);
    CHECK(Json(sandbox.admin("GET", "stats").body).root["total"].get_int64().value() == 0);
}

TEST_CASE("mutate changes the account deterministically, reset?data=1 restores the seed") {
    SandboxFixture a, b;
    const auto seeded = a.admin("GET", "dump").body;
    CHECK(seeded == b.admin("GET", "dump").body);
    // Both at one second: on the real clock the two mutations differed when a second ended
    // between them.
    REQUIRE(a.admin("POST", "clock?at=1767225600").status == 200);
    REQUIRE(b.admin("POST", "clock?at=1767225600").status == 200);

    auto changes_a = a.admin("POST", "mutate?seed=5&count=20");
    auto changes_b = b.admin("POST", "mutate?seed=5&count=20");
    REQUIRE(changes_a.status == 200);
    CHECK(changes_a.body == changes_b.body);
    CHECK(Json(changes_a.body).root["changes"].get_array().value().size() > 0);
    const auto mutated = a.admin("GET", "dump").body;
    CHECK(mutated != seeded);
    CHECK(mutated == b.admin("GET", "dump").body);

    for (const char* bad :
         {"mutate?seed=x", "mutate?count=-1", "mutate?silent=2", "reset?data=yes"}) {
        CAPTURE(bad);
        CHECK(a.admin("POST", bad).status == 400);
    }

    REQUIRE(a.admin("POST", "reset?data=1").status == 200);
    CHECK(a.admin("GET", "dump").body == seeded);
}

TEST_CASE("compare tells equal dumps from different ones, posted or against the current") {
    SandboxFixture sandbox;
    const auto before = sandbox.admin("GET", "dump").body;
    auto same = sandbox.admin("POST", "compare", R"({"a":)" + before + R"(,"b":)" + before + "}");
    REQUIRE(same.status == 200);
    CHECK(Json(same.body).root["equal"].get_bool().value());
    sandbox.admin("POST", "mutate?seed=9&count=10");
    auto current = sandbox.admin("POST", "compare?with=current", before);
    REQUIRE(current.status == 200);
    Json differs(current.body);
    CHECK_FALSE(differs.root["equal"].get_bool().value());
    CHECK(differs.root["differences"].get_array().value().size() > 0);

    CHECK(sandbox.admin("POST", "compare", "not json").status == 400);
    CHECK(sandbox.admin("POST", "compare", R"({"a":{}})").status == 400);
    CHECK(sandbox.admin("POST", "compare?with=yesterday", before).status == 400);
}

TEST_CASE("wire options are switched at run time") {
    SandboxFixture sandbox;
    auto set = sandbox.admin("POST", "wire", R"({"string_ids":true,"page_cap":2})");
    REQUIRE(set.status == 200);
    Json wire(set.body);
    CHECK(wire.root["string_ids"].get_bool().value());
    CHECK_FALSE(wire.root["keyed_lists"].get_bool().value());
    Json users(sandbox.api("GET", "/users?count=10").body);
    auto list = users.root["data"].get_array().value();
    CHECK(list.size() <= 2);
    CHECK(list.at(0)["id"].is_string());
    CHECK(sandbox.admin("POST", "wire", R"({"string_ids":1})").status == 400);
    CHECK(sandbox.admin("POST", "wire", R"({"page_cap":-1})").status == 400);
    CHECK(sandbox.admin("POST", "wire", R"({"size_skew":"1"})").status == 400);
    REQUIRE(sandbox.admin("POST", "wire", R"({"size_skew":-2,"page_cap":0})").status == 200);
    Json dump(sandbox.admin("GET", "dump").body);
    auto file = dump.root["files"].get_array().value().at(0);
    auto ticket_id = file["ticket_id"].get_int64().value();
    std::int64_t project_id = 0;
    // A named array: a range-for over a temporary's value() reads a destroyed object.
    simdjson::dom::array tickets = dump.root["tickets"].get_array();
    for (auto ticket : tickets)
        if (ticket["id"].get_int64().value() == ticket_id)
            project_id = ticket["project_id"].get_int64().value();
    auto path = "/projects/" + std::to_string(project_id) + "/tickets/" +
                std::to_string(ticket_id) + "/notes/" +
                std::to_string(file["note_id"].get_int64().value()) + "/files";
    Json listed(sandbox.api("GET", path).body);
    CHECK(listed.root["data"].get_array().value().at(0)["size"].get_int64().value() ==
          file["size"].get_int64().value() - 2);
    CHECK(sandbox.admin("POST", "wire", R"({"bogus":true})").status == 400);
}
