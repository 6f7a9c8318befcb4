// Round trips against servers of other shapes than the sandbox's default
// (issue 12): each restore shape of WireOptions on its own, at account,
// project and ticket scope. The judge is the sandbox's own dump compare; a
// rerun must send no write at all.
#include <doctest/doctest.h>

#include <functional>

#include "restore_drill.hpp"

namespace smartq::test {
namespace {

using Shape = std::function<void(sandbox::WireOptions&)>;

sandbox::ServerOptions shaped(sandbox::Size size, const Shape& shape) {
    auto options = sandbox_of(size);
    shape(options.wire);
    return options;
}

// A (seeded tiny) and B (empty) both answer in `shape`.
Drill shaped_drill(const Shape& shape) {
    return Drill(shaped(sandbox::Size::Tiny, shape), shaped(sandbox::Size::Empty, shape));
}

bool has_line(const std::string& out, std::string_view start) {
    return out.find("\n" + std::string(start)) != std::string::npos ||
           out.rfind(std::string(start), 0) == 0;
}

// Restores A into B with `extra` arguments: exit 0, nothing reported, B
// equal to `expected`; then a rerun that writes nothing and still exits 0.
void check_round_trip(Drill& drill, const std::string& expected,
                      std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"restore", "--from", "a", "--to", "b"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto restored = drill.env.run(args);
    INFO(restored.out, restored.err);
    CHECK(restored.code == 0);
    CHECK_FALSE(has_line(restored.out, "difference:"));
    CHECK_FALSE(has_line(restored.out, "problem:"));
    auto comparison = drill.compare_with(expected);
    INFO(comparison);
    CHECK(equal(comparison));
    drill.target.admin("POST", "reset");
    auto again = drill.env.run(args);
    INFO(again.out, again.err);
    CHECK(again.code == 0);
    CHECK(writes(stats(drill.target)) == 0);
    CHECK(equal(drill.compare_with(expected)));
}

void check_account_round_trip(const Shape& shape) {
    auto drill = shaped_drill(shape);
    check_round_trip(drill, drill.source.admin("GET", "dump").body);
}

}  // namespace

TEST_CASE("custom field values nested under custom_fields are restored") {
    check_account_round_trip([](sandbox::WireOptions& w) { w.nested_custom_fields = true; });
}

TEST_CASE("root notes whose parent_id is \"0\" are restored without a problem") {
    check_account_round_trip([](sandbox::WireOptions& w) { w.root_parent = "0"; });
}

TEST_CASE("root notes without a parent_id are restored without a problem") {
    check_account_round_trip([](sandbox::WireOptions& w) { w.root_parent = "absent"; });
}

TEST_CASE("zero dates and [] for empty objects restore as unset") {
    check_account_round_trip([](sandbox::WireOptions& w) {
        w.zero_dates = true;
        w.empty_arrays = true;
    });
}

TEST_CASE("a server's default steps and role are adopted by name or removed, and reported") {
    Drill drill(
        sandbox_of(sandbox::Size::Tiny),
        shaped(sandbox::Size::Empty, [](sandbox::WireOptions& w) { w.default_steps = true; }));
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(restored.out, restored.err);
    CHECK(restored.code == 0);
    // Seeded steps are Backlog, In progress, Review, Done...: "Done" is adopted,
    // "To Do" and "In Progress" (another case) are removed.
    CHECK(restored.out.find("removed: the server's own step 'To Do'") != std::string::npos);
    CHECK(restored.out.find("removed: the server's own step 'Done'") == std::string::npos);
    auto comparison = drill.compare();
    INFO(comparison);
    CHECK(equal(comparison));
    drill.target.admin("POST", "reset");
    auto again = drill.env.run({"restore", "--from", "a", "--to", "b"});
    CHECK(again.code == 0);
    CHECK(writes(stats(drill.target)) == 0);
    CHECK(again.out.find("removed:") == std::string::npos);
}

TEST_CASE("fields required in the source do not refuse tickets that lack them") {
    Drill drill(sandbox_of(sandbox::Size::Tiny),
                shaped(sandbox::Size::Empty, [](auto& w) { w.required_fields = true; }));
    check_round_trip(drill, drill.source.admin("GET", "dump").body);
}

TEST_CASE("a user's home_phone is restored") {
    Drill drill;
    REQUIRE(drill.source.api("PUT", "/users/2", "user%5Bhome_phone%5D=%2B1%20555%200199").status ==
            200);
    REQUIRE(drill.sync_source().code == 0);
    check_round_trip(drill, drill.source.admin("GET", "dump").body);
}

TEST_CASE("a rerun checks mapped tickets by their own GET, not by a listing that misses them") {
    Drill drill;
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b"});
    REQUIRE_MESSAGE(restored.code == 0, restored.out, restored.err);
    // From now on B's ticket lists answer their first page at every offset:
    // most tickets are missing from every listing of them.
    REQUIRE(drill.target.admin("POST", "wire", R"({"ignore_offset":true,"page_cap":5})").status ==
            200);
    drill.target.admin("POST", "reset");
    auto again = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(again.out, again.err);
    auto b = stats(drill.target);
    CHECK(writes(b) == 0);
    CHECK(b.by_route["GET /projects/{id}/tickets/{id}"] > 0);
    REQUIRE(drill.target.admin("POST", "wire", R"({"ignore_offset":false,"page_cap":0})").status ==
            200);
    CHECK(equal(drill.compare()));
}

TEST_CASE("a rerun against a target whose listings shuffle ties writes nothing") {
    Drill drill(sandbox_of(sandbox::Size::Tiny), shaped(sandbox::Size::Empty, [](auto& w) {
                    w.tie_shuffle = true;
                    w.page_cap = 5;
                }));
    check_round_trip(drill, drill.source.admin("GET", "dump").body);
}

TEST_CASE("a file name the server cuts to its basename is reported as renamed, once") {
    Drill drill(sandbox_of(sandbox::Size::Tiny),
                shaped(sandbox::Size::Empty, [](auto& w) { w.basename_uploads = true; }));
    auto note = drill.source.api("GET", "/projects/1001/tickets/100011/notes");
    REQUIRE(note.status == 200);
    auto id_at = note.body.find("\"id\":");
    REQUIRE(id_at != std::string::npos);
    auto note_id = std::stoll(note.body.substr(id_at + 5));
    auto boundary = std::string("XyZ");
    auto body = "--" + boundary +
                "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"docs/plan.txt\"\r\n"
                "Content-Type: text/plain\r\n\r\nthe plan\r\n--" +
                boundary + "--\r\n";
    auto uploaded = drill.source.api(
        "POST", "/projects/1001/tickets/100011/notes/" + std::to_string(note_id) + "/filesv2", body,
        {{"Content-Type", "multipart/form-data; boundary=" + boundary}});
    REQUIRE_MESSAGE(uploaded.status == 200, uploaded.body);
    REQUIRE(drill.sync_source().code == 0);
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(restored.out, restored.err);
    CHECK(restored.code == 65);
    CHECK(restored.out.find("renamed by the server to \"plan.txt\"") != std::string::npos);
    CHECK(restored.out.find("is missing in the target") == std::string::npos);
    CHECK(restored.out.find("exists only in the target") == std::string::npos);
}

TEST_CASE("every shape at once: a project and a ticket restore exactly") {
    Shape all = [](sandbox::WireOptions& w) {
        w.nested_custom_fields = true;
        w.root_parent = "0";
        w.zero_dates = true;
        w.empty_arrays = true;
    };
    Shape target_rules = [&](sandbox::WireOptions& w) {
        all(w);
        w.default_steps = true;
        w.required_fields = true;
    };
    SUBCASE("project") {
        Drill drill(shaped(sandbox::Size::Tiny, all), shaped(sandbox::Size::Empty, target_rules));
        auto expected = dump_subset(drill.source.admin("GET", "dump").body, {1002}, {},
                                    drill.source.options().login);
        check_round_trip(drill, expected, {"--project", "1002"});
    }
    SUBCASE("ticket") {
        Drill drill(shaped(sandbox::Size::Tiny, all), shaped(sandbox::Size::Empty, target_rules));
        auto expected = dump_subset(drill.source.admin("GET", "dump").body, {1001}, {100011},
                                    drill.source.options().login);
        check_round_trip(drill, expected, {"--ticket", "100011"});
    }
}

}  // namespace smartq::test
