// The restore shapes switched through /__admin/wire.
#include <doctest/doctest.h>

#include "server_json.hpp"
#include "support/sandbox_fixture.hpp"

using namespace smartq;
using namespace smartq::test;

TEST_CASE("restore shapes are switched through the admin wire options, and read back") {
    SandboxFixture sandbox;
    auto set = sandbox.admin("POST", "wire",
                             R"({"nested_custom_fields":true,"root_parent":"0","zero_dates":true,
                                 "empty_arrays":true,"default_steps":true,"required_fields":true,
                                 "basename_uploads":true})");
    REQUIRE(set.status == 200);
    Json wire(set.body);
    for (const char* key : {"nested_custom_fields", "zero_dates", "empty_arrays", "default_steps",
                            "required_fields", "basename_uploads"})
        CHECK(wire.root[key].get_bool().value());
    CHECK(std::string_view(wire.root["root_parent"].get_string().value()) == "0");
    CHECK_FALSE(wire.root["string_ids"].get_bool().value());
    CHECK(sandbox.admin("POST", "wire", R"({"root_parent":"none"})").status == 400);
    CHECK(sandbox.admin("POST", "wire", R"({"root_parent":0})").status == 400);
    CHECK(sandbox.admin("POST", "wire", R"({"default_steps":"yes"})").status == 400);
    Json notes(sandbox.api("GET", "/projects/1001/tickets/100011/notes").body);
    CHECK(std::string_view(notes.root["data"].at(0)["parent_id"].get_string().value()) == "0");
}
