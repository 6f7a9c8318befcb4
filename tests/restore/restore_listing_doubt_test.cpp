// A target listing that stays incomplete cannot vouch that an object is not
// there yet (issue 12): the restore must leave such an object for a later run,
// say so and exit non-zero, rather than create it a second time.
#include <doctest/doctest.h>

#include "restore_drill.hpp"

namespace smartq::test {

TEST_CASE("objects a listing in doubt cannot vouch for are left for a later run, never made twice") {
    Drill drill;
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b"});
    REQUIRE_MESSAGE(restored.code == 0, restored.out, restored.err);
    // "b2" is B under another name: its id map is empty, so only B's listings
    // can tell what B holds, and B's ticket lists now hide all but their
    // first page (their first page answers every offset).
    AccountSpec a;
    a.name = "a";
    a.port = drill.source.port();
    AccountSpec b;
    b.name = "b";
    b.port = drill.target.port();
    AccountSpec b2 = b;
    b2.name = "b2";
    drill.env.configure({a, b, b2});
    REQUIRE(drill.target.admin("POST", "wire", R"({"ignore_offset":true,"page_cap":5})").status ==
            200);
    drill.target.admin("POST", "reset");
    auto blind = drill.env.run({"restore", "--from", "a", "--to", "b2"});
    INFO(blind.out, blind.err);
    // Exit non-zero: the run was partial. (Its read-back fails on the same
    // listings, and that failure is the one sentence the command prints.)
    CHECK(blind.code != 0);
    auto during = stats(drill.target);
    CHECK(during.by_route["POST /projects/{id}/tickets"] == 0);
    REQUIRE(drill.target.admin("POST", "wire", R"({"ignore_offset":false,"page_cap":0})").status ==
            200);
    CHECK(equal(drill.compare()));  // nothing twice

    // With whole listings the next run finds every ticket and makes none.
    drill.target.admin("POST", "reset");
    auto whole = drill.env.run({"restore", "--from", "a", "--to", "b2"});
    INFO(whole.out, whole.err);
    CHECK(whole.code == 0);
    CHECK(writes(stats(drill.target)) == 0);
    CHECK(equal(drill.compare()));
}

}  // namespace smartq::test
