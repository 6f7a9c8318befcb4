// Issue 14: the requests of one ticket go out together. A ticket with many notes once had its
// notes' file listings read one after another inside its slot, holding the end of the run; the
// crawl's queue now sends them side by side. So do a project's own listings (roles, steps,
// fields, each field's values), once read one after another before its tickets, and the
// account's own user and root lists (users, projects), once read one after another first. Checked
// by counting what the sandbox answers at once under one path, not by timing.
#include <doctest/doctest.h>

#include <simdjson.h>

#include <string>

#include "backup_env.hpp"

using namespace smartq;
using namespace smartq::test;

namespace {

const Headers kForm = {{"Content-Type", "application/x-www-form-urlencoded"}};

simdjson::dom::element data_of(simdjson::dom::parser& parser, const HttpResponse& answer) {
    REQUIRE(answer.status == 200);
    return parser.parse(answer.body)["data"].value();
}

std::string first_id(const SandboxFixture& sandbox, const std::string& path) {
    simdjson::dom::parser parser;
    return std::to_string(data_of(parser, sandbox.api("GET", path)).at(0)["id"].get_int64().value());
}

std::size_t count_of(const SandboxFixture& sandbox, const std::string& path) {
    simdjson::dom::parser parser;
    return simdjson::dom::array(data_of(parser, sandbox.api("GET", path + "?count=1000"))).size();
}

struct InFlight {
    std::int64_t under_one_ticket = 0;
    std::string busiest_ticket;
    std::int64_t under_one_project = 0;
    std::int64_t at_root = 0;
};

InFlight in_flight(const SandboxFixture& sandbox) {
    auto answer = sandbox.admin("GET", "stats");
    REQUIRE(answer.status == 200);
    simdjson::dom::parser parser;
    auto counts = parser.parse(answer.body)["in_flight"];
    return {counts["max_under_one_ticket"].get_int64().value(),
            std::string(counts["busiest_ticket"].get_string().value()),
            counts["max_under_one_project"].get_int64().value(),
            counts["max_at_root"].get_int64().value()};
}

// A full sync of the sandbox's account with every answer a little late, so that requests sent
// together are seen together.
void sync_slowly(const SandboxFixture& sandbox) {
    REQUIRE(sandbox.admin("POST", "faults", R"({"latency_ms":5})").status == 200);
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    auto result = env.run({"sync"});
    REQUIRE_MESSAGE(result.code == 0, result.err);
}

}  // namespace

TEST_CASE("a ticket with many notes has several of its requests in flight at once") {
    SandboxFixture sandbox;
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    REQUIRE(env.run({"sync"}).code == 0);

    auto project = "/projects/" + first_id(sandbox, "/projects");
    auto ticket = project + "/tickets/" + first_id(sandbox, project + "/tickets");
    for (int i = 0; i < 40; ++i)
        REQUIRE(sandbox.api("POST", ticket + "/notes", "note[text]=Thread+" + std::to_string(i),
                            kForm)
                    .status == 200);
    auto notes = count_of(sandbox, ticket + "/notes");
    // Every answer waits a little, so that requests sent together are seen together.
    REQUIRE(sandbox.admin("POST", "faults", R"({"latency_ms":5})").status == 200);
    REQUIRE(sandbox.admin("POST", "reset").status == 200);

    // Only the changed ticket's children are read again.
    auto result = env.run({"sync"});
    REQUIRE_MESSAGE(result.code == 0, result.err);
    auto counted = in_flight(sandbox);
    CHECK(counted.busiest_ticket == ticket);
    CHECK(counted.under_one_ticket > 1);
    // Side by side, not more: one listing of files per note, as one after another.
    CHECK(stats(sandbox).by_route["GET /projects/{id}/tickets/{id}/notes/{id}/files"] ==
          static_cast<long>(notes));
}

TEST_CASE("a project's roles, steps, fields and values are listed side by side") {
    SandboxFixture sandbox;
    sync_slowly(sandbox);
    // One after another, a project never has more than one of its own listings answered at once.
    CHECK(in_flight(sandbox).under_one_project > 1);
    auto routes = stats(sandbox).by_route;
    CHECK(routes["GET /projects/{id}/roles/default"] > 0);
    CHECK(routes["GET /projects/{id}/custom_fields/{name}/values"] > 0);
}

TEST_CASE("the account's own user, its users and its projects are listed side by side") {
    SandboxFixture sandbox;
    sync_slowly(sandbox);
    // One after another, /users/me, each page of /users and each of /projects are answered alone.
    CHECK(in_flight(sandbox).at_root > 1);
    auto routes = stats(sandbox).by_route;
    CHECK(routes["GET /users/me"] == 1);
    CHECK(routes["GET /projects"] > 0);
}
