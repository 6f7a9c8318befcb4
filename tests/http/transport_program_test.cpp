// The transport as a user meets it: the real program against a sandbox that rate-limits,
// answers without end, trickles, or presents a certificate no one trusts.
#include <sys/resource.h>

#include <doctest/doctest.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include <simdjson.h>

#include "backup_env.hpp"
#include "fake_server.hpp"
#include "tls_identity.hpp"

using namespace smartq;
using namespace smartq::test;
using namespace std::chrono_literals;

namespace {

sandbox::ServerOptions sized(sandbox::Size size) {
    sandbox::ServerOptions options;
    options.size = size;
    return options;
}

long status_count(const SandboxFixture& sandbox, const char* status) {
    simdjson::dom::parser parser;
    auto stats = sandbox.admin("GET", "stats");
    simdjson::dom::element root = parser.parse(stats.body).value();
    std::int64_t count = 0;
    return root["by_status"][status].get(count) == simdjson::SUCCESS ? count : 0;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A full sync against a sliding window of `rate` requests per second: it completes, an
// exact copy, with at most 5% of its requests refused.
void sync_under_rate_limit(sandbox::Size size, int rate) {
    SandboxFixture sandbox(sized(size));
    REQUIRE(
        sandbox.admin("POST", "faults", "{\"rate_limit\":" + std::to_string(rate) + "}").status ==
        200);
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    auto started = std::chrono::steady_clock::now();
    auto result = env.run({"sync"}, 300s);
    double wall = seconds_since(started);
    CAPTURE(result.err);
    REQUIRE(result.code == 0);
    check_exact_copy(sandbox, env);
    auto total = stats(sandbox).total;
    auto refused = status_count(sandbox, "429");
    double share = static_cast<double>(refused) / static_cast<double>(total);
    double ideal = static_cast<double>(total - refused) / rate;
    MESSAGE("R=" << rate << ": " << total << " requests, " << refused << " answered 429 ("
                 << share * 100 << "%), wall " << wall << " s against requests/R " << ideal
                 << " s");
    CHECK(share <= 0.05);
    // Loose: the target is 1.3x; this only catches a client that stalls on the limit.
    CHECK(wall < 2.0 * ideal + 5.0);
}

#ifdef __SANITIZE_ADDRESS__
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

// Peak RSS of the largest child this test process has waited for, in MiB.
double children_peak_rss_mib() {
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

void use_https(const BackupEnv& env) {
    std::stringstream text;
    text << std::ifstream(env.config()).rdbuf();
    auto config = text.str();
    config.replace(config.find("http://"), 7, "https://");
    std::ofstream(env.config(), std::ios::trunc) << config;
}

std::string last_line(const std::string& text) {
    auto end = text.find_last_not_of('\n');
    auto start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1);
}

}  // namespace

TEST_CASE("rate limit: R=10 on a tiny account completes with at most 5% answered 429") {
    sync_under_rate_limit(sandbox::Size::Tiny, 10);
}

TEST_CASE("rate limit: R=150 on a small account completes with at most 5% answered 429") {
    sync_under_rate_limit(sandbox::Size::Small, 150);
}

// Each account's own pacer has no rate until its first 429, so without the daemon's
// max_rate the two would send as fast as the sandbox answers and meet its limit at once.
TEST_CASE("max_rate: the accounts of one sync together stay under the daemon's rate") {
    SandboxFixture sandbox(sized(sandbox::Size::Tiny));
    REQUIRE(sandbox.admin("POST", "faults", R"({"rate_limit":20})").status == 200);
    BackupEnv env;
    env.configure(
        {{.name = "acme", .port = sandbox.port()}, {.name = "beta", .port = sandbox.port()}},
        "max_rate = 12\n");
    auto result = env.run({"sync"}, 300s);
    CAPTURE(result.err);
    REQUIRE(result.code == 0);
    check_exact_copy(sandbox, env);
    CHECK(status_count(sandbox, "429") == 0);
}

TEST_CASE("an answer larger than max_answer_size ends in exit 76 with bounded memory") {
    SandboxFixture sandbox(sized(sandbox::Size::Tiny));
    REQUIRE(sandbox.admin("POST", "faults", R"({"huge_answer_route":"GET /projects"})").status ==
            200);
    BackupEnv env;
    env.configure({{.port = sandbox.port()}}, "max_answer_size = \"16MiB\"");
    auto result = env.run({"sync"}, 300s);
    CAPTURE(result.err);
    CHECK(result.code == 76);
    CHECK(last_line(result.err).find("more than max_answer_size (16777216 bytes)") !=
          std::string::npos);
    // The sandbox would send 3 GiB each attempt; what the client holds stays bounded. Under
    // AddressSanitizer the resident size is its shadow memory and quarantine, not ours: the
    // bound is checked by the plain build, which CI runs too.
    if (!kAddressSanitizer)
        CHECK(children_peak_rss_mib() < 100.0);
}

TEST_CASE("a growing chunked answer stays bounded at the default max_answer_size") {
    SandboxFixture sandbox(sized(sandbox::Size::Tiny));
    REQUIRE(sandbox.admin("POST", "faults", R"({"huge_answer_route":"GET /projects"})").status ==
            200);
    BackupEnv env;
    env.configure({{.port = sandbox.port()}});
    auto result = env.run({"sync"}, 300s);
    CAPTURE(result.err);
    CHECK(result.code == 76);
    CHECK(last_line(result.err).find("more than max_answer_size (67108864 bytes)") !=
          std::string::npos);
    // 64 MiB of body and the program itself: a body grown by doubling would briefly hold
    // 32 MiB more than that.
    if (!kAddressSanitizer)
        CHECK(children_peak_rss_mib() < 100.0);
}

TEST_CASE("an answer that trickles ends within twice request_timeout per attempt, exit 75") {
    SandboxFixture sandbox(sized(sandbox::Size::Tiny));
    REQUIRE(sandbox
                .admin("POST", "faults",
                       R"({"trickle_route":"GET /users/me","trickle_interval_ms":300})")
                .status == 200);
    BackupEnv env;
    env.configure({{.port = sandbox.port()}}, "request_timeout = \"2s\"");
    auto started = std::chrono::steady_clock::now();
    auto result = env.run({"sync"}, 300s);
    double wall = seconds_since(started);
    CAPTURE(result.err);
    CHECK(result.code == 75);
    auto attempts = stats(sandbox).by_route["GET /users/me"];
    CHECK(attempts == 6);
    // Each attempt at most twice request_timeout, plus the back-off between them (at most
    // 0.25 + 0.5 + 1 + 2 + 4 s). A trickle of a few hundred bytes at 0.3 s each would
    // hold one attempt alone for over a minute.
    CHECK(wall < static_cast<double>(attempts) * 2 * 2.0 + 7.75);
}

TEST_CASE("a certificate no one trusts ends in exit 69, an unusable ca_file in 78") {
    auto pki = http::testing::make_test_pki("localhost");
    http::testing::FakeServer server{pki.server};
    BackupEnv env;
    SUBCASE("no ca_file: 69 with the sentence that says to set one") {
        env.configure({{.port = server.port()}});
        use_https(env);
        auto result = env.run({"sync"});
        CAPTURE(result.err);
        CHECK(result.code == 69);
        CHECK(last_line(result.err).find("was not accepted") != std::string::npos);
        CHECK(last_line(result.err).find("set ca_file") != std::string::npos);
    }
    SUBCASE("a ca_file that is not a certificate: 78") {
        std::ofstream(env.dir().path() / "ca.pem") << "not a certificate\n";
        env.configure({{.port = server.port(), .extra = "ca_file = \"ca.pem\""}});
        use_https(env);
        auto result = env.run({"sync"});
        CAPTURE(result.err);
        CHECK(result.code == 78);
        CHECK(last_line(result.err).find("could not load the CA file") != std::string::npos);
    }
    SUBCASE("a ca_file that does not exist: 78") {
        env.configure({{.port = server.port(), .extra = "ca_file = \"missing.pem\""}});
        use_https(env);
        auto result = env.run({"sync"});
        CHECK(result.code == 78);
    }
    CHECK(server.requests().empty());
}
