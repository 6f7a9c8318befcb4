// Restores of one project and of one ticket: exactly that part of A arrives
// in B, with what it needs (its project's roles, steps, fields; its users).
#include <doctest/doctest.h>

#include "restore_drill.hpp"

namespace smartq::test {

TEST_CASE("restore --project brings exactly that project") {
    Drill drill;
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b", "--project", "1002"});
    INFO(restored.out, restored.err);
    CHECK(restored.code == 0);
    auto expected = dump_subset(drill.source.admin("GET", "dump").body, {1002}, {},
                                drill.source.options().login);
    auto comparison = drill.compare_with(expected);
    INFO(comparison);
    CHECK(equal(comparison));
}

TEST_CASE("restore --ticket brings that ticket and its project's setup, no other ticket") {
    Drill drill;
    // 100011 of project 1001 (seed 1): archived, assigned to two users, with
    // threaded notes, done tasks, files and choice fields.
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b", "--ticket", "100011"});
    INFO(restored.out, restored.err);
    CHECK(restored.code == 0);
    auto dump = drill.source.admin("GET", "dump").body;
    auto expected = dump_subset(dump, {1001}, {100011}, drill.source.options().login);
    auto comparison = drill.compare_with(expected);
    INFO(comparison);
    CHECK(equal(comparison));
    CHECK(!equal(drill.compare_with(dump_subset(dump, {1001}, {}, drill.source.options().login))));
}

}  // namespace smartq::test
