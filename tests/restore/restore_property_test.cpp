// The property of a restore against any server: whatever mix of shapes A and
// B answer in, whatever faults B injects, wherever the restore is SIGKILLed,
// running it again until it succeeds gives B equal to A, with no duplicate,
// and one more run writes nothing. Fixed seeds in CI; any seed by hand:
//   SMARTQ_PROPERTY_SEED=1234 ctest -R 'restore_tests: .*property'
#include <doctest/doctest.h>
#include <signal.h>
#include <simdjson.h>

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <random>
#include <thread>

#include "restore_drill.hpp"

namespace smartq::test {
namespace {
using namespace std::chrono_literals;

std::vector<std::uint64_t> seeds() {
    if (const char* chosen = std::getenv("SMARTQ_PROPERTY_SEED"))
        return {std::stoull(chosen)};
    return {11, 23};
}

// The shapes a server answers in: drawn for A and B alike, so that the
// replica is read in one shape and the target in another.
void draw_shapes(std::mt19937_64& random, sandbox::WireOptions& w) {
    auto coin = [&] { return random() % 2 == 0; };
    w.nested_custom_fields = coin();
    w.root_parent = std::array{"null", "0", "absent"}[random() % 3];
    w.zero_dates = coin();
    w.empty_arrays = coin();
    w.string_ids = coin();
    w.int_bools = coin();
}

// B's rules: what a target does to new objects, and ties in its listings.
void draw_rules(std::mt19937_64& random, sandbox::WireOptions& w) {
    auto coin = [&] { return random() % 2 == 0; };
    w.default_steps = coin();
    w.required_fields = coin();
    w.tie_shuffle = coin();
    w.page_cap = coin() ? 5 : 0;
}

std::map<std::string, std::size_t> sizes(const std::string& dump) {
    simdjson::dom::parser parser;
    std::map<std::string, std::size_t> out;
    simdjson::dom::object sections = parser.parse(dump).get_object().value();
    for (auto [section, items] : sections)
        out[std::string(section)] = items.get_array().size();
    return out;
}

}  // namespace

TEST_CASE(
    "property: any shapes, faults and kills end in an equal target, and a rerun writes "
    "nothing") {
    for (auto seed : seeds()) {
        CAPTURE(seed);
        std::mt19937_64 random(seed);
        auto a = sandbox_of(sandbox::Size::Tiny);
        auto b = sandbox_of(sandbox::Size::Empty);
        draw_shapes(random, a.wire);
        draw_shapes(random, b.wire);
        draw_rules(random, b.wire);
        Drill drill(a, b);
        auto faults = fmt::format(
            R"({{"latency_ms":2,"error_rate":0.03,"drop_rate":0.03,"truncate_rate":0.03,"seed":{}}})",
            seed);
        REQUIRE(drill.target.admin("POST", "faults", faults).status == 200);

        const long kill_after = 20 + static_cast<long>(random() % 200);
        auto first = drill.env.start({"restore", "--from", "a", "--to", "b"});
        auto deadline = std::chrono::steady_clock::now() + 60s;
        while (writes(stats(drill.target)) < kill_after && first->running() &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(2ms);
        if (first->running())
            first->kill(SIGKILL);
        REQUIRE(first->wait(10s).has_value());

        RunResult resumed;
        for (int attempt = 0; attempt < 4; ++attempt) {
            resumed = drill.env.run({"restore", "--from", "a", "--to", "b"});
            if (resumed.code == 0)
                break;
        }
        INFO(resumed.out, resumed.err);
        CHECK(resumed.code == 0);
        auto source = drill.source.admin("GET", "dump").body;
        CHECK(sizes(drill.target.admin("GET", "dump").body) == sizes(source));
        auto comparison = drill.compare_with(source);
        INFO(comparison);
        CHECK(equal(comparison));

        REQUIRE(drill.target
                    .admin("POST", "faults", R"({"latency_ms":0,"error_rate":0,
                "drop_rate":0,"truncate_rate":0})")
                    .status == 200);
        drill.target.admin("POST", "reset");
        auto again = drill.env.run({"restore", "--from", "a", "--to", "b"});
        INFO(again.out, again.err);
        CHECK(again.code == 0);
        CHECK(writes(stats(drill.target)) == 0);
    }
}

}  // namespace smartq::test
