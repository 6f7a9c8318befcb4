// A restore under adversity: a target that fails, drops and cuts short its
// answers; a restore killed midway and run again; a restore of a past state.
#include <doctest/doctest.h>
#include <signal.h>
#include <simdjson.h>

#include <thread>

#include "restore_drill.hpp"

namespace smartq::test {
namespace {
using namespace std::chrono_literals;

// Objects per section of a dump: duplicates show here as well as in compare.
std::map<std::string, std::size_t> sizes(const std::string& dump) {
    simdjson::dom::parser parser;
    std::map<std::string, std::size_t> out;
    simdjson::dom::object sections = parser.parse(dump).get_object().value();
    for (auto [section, items] : sections)
        out[std::string(section)] = items.get_array().size();
    return out;
}

std::int64_t injected(const SandboxFixture& sandbox, const char* fault) {
    simdjson::dom::parser parser;
    auto body = sandbox.admin("GET", "stats").body;
    std::int64_t n = 0;
    if (parser.parse(body)["faults_injected"][fault].get(n) != simdjson::SUCCESS)
        return 0;  // the sandbox lists only the faults it injected
    return n;
}

}  // namespace

TEST_CASE(
    "a restore into a target that fails, drops and truncates answers is equal, no duplicates") {
    Drill drill;
    auto faults = drill.target.admin(
        "POST", "faults", R"({"error_rate":0.04,"drop_rate":0.04,"truncate_rate":0.04,"seed":7})");
    REQUIRE(faults.status == 200);
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(restored.out, restored.err);
    CHECK(restored.code == 0);
    CHECK(injected(drill.target, "error") > 0);
    CHECK(injected(drill.target, "drop") > 0);
    CHECK(injected(drill.target, "truncate") > 0);
    auto source = drill.source.admin("GET", "dump").body;
    CHECK(sizes(drill.target.admin("GET", "dump").body) == sizes(source));
    auto comparison = drill.compare_with(source);
    INFO(comparison);
    CHECK(equal(comparison));
}

TEST_CASE("a restore killed midway resumes to an equal account without duplicates") {
    Drill drill;
    // Slow enough that the kill lands among the tickets, not after the end.
    drill.target.admin("POST", "faults", R"({"latency_ms":4})");
    auto first = drill.env.start({"restore", "--from", "a", "--to", "b"});
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (writes(stats(drill.target)) < 80 && first->running() &&
           std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(2ms);
    REQUIRE_MESSAGE(first->running(), first->stdout_text(), first->stderr_text());
    first->kill(SIGKILL);
    REQUIRE(first->wait(10s).has_value());
    auto source = drill.source.admin("GET", "dump").body;
    REQUIRE(sizes(drill.target.admin("GET", "dump").body) != sizes(source));

    drill.target.admin("POST", "faults", R"({"latency_ms":0})");
    auto resumed = drill.env.run({"restore", "--from", "a", "--to", "b"});
    INFO(resumed.out, resumed.err);
    CHECK(resumed.code == 0);
    CHECK(resumed.out.find("matched") != std::string::npos);
    CHECK(sizes(drill.target.admin("GET", "dump").body) == sizes(source));
    auto comparison = drill.compare_with(source);
    INFO(comparison);
    CHECK(equal(comparison));
}

TEST_CASE("a restore with no id map into an account that holds it all matches by natural key") {
    Drill drill;
    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b"});
    REQUIRE_MESSAGE(restored.code == 0, restored.out, restored.err);
    // Account "c" is sandbox B under another name: its id map starts empty.
    AccountSpec a;
    a.name = "a";
    a.port = drill.source.port();
    AccountSpec c;
    c.name = "c";
    c.port = drill.target.port();
    drill.env.configure({a, c});
    drill.target.admin("POST", "reset");
    auto again = drill.env.run({"restore", "--from", "a", "--to", "c"});
    INFO(again.out, again.err);
    CHECK(again.code == 0);
    auto b = stats(drill.target);
    // Archived tickets and done tasks are seen as such: no finishing PUT again.
    CHECK(b.by_route["PUT /projects/{id}/tickets/{id}"] == 0);
    CHECK(b.by_route["PUT /projects/{id}/tickets/{id}/tasks/{id}"] == 0);
    for (const auto& [route, count] : b.by_route)
        if (route.rfind("POST ", 0) == 0)
            CHECK_MESSAGE(route == "POST /oauth2", route);
    CHECK_FALSE(std::filesystem::exists(drill.env.data_dir() / "c" / "generated-passwords.tsv"));
    auto comparison = drill.compare();
    INFO(comparison);
    CHECK(equal(comparison));
}

TEST_CASE("restore --at a past run brings the account as it was then") {
    Drill drill;
    auto then = drill.source.admin("GET", "dump").body;
    auto at = drill.env.run({"query", "--account", "a", "--format", "csv",
                             "SELECT ended_at FROM runs ORDER BY id DESC LIMIT 1"});
    REQUIRE(at.code == 0);
    auto time = at.out.substr(at.out.find('\n') + 1);
    time = time.substr(0, time.find_first_of("\r\n"));
    REQUIRE(time.size() == 19);
    // Replica times have whole seconds: the next sync must start in a later one.
    std::this_thread::sleep_for(1100ms);
    auto mutated = drill.source.admin("POST", "mutate?seed=5&count=25");
    REQUIRE(mutated.status == 200);
    REQUIRE(!equal(drill.source.admin("POST", "compare?with=current", then).body));
    auto synced = drill.env.run({"sync", "--account", "a", "--deep"});
    REQUIRE_MESSAGE(synced.code == 0, synced.err);

    auto restored = drill.env.run({"restore", "--from", "a", "--to", "b", "--at", time});
    INFO(restored.out, restored.err);
    CHECK(restored.code == 0);
    auto comparison = drill.compare_with(then);
    INFO(comparison);
    CHECK(equal(comparison));
    CHECK(!equal(drill.compare()));
}

}  // namespace smartq::test
