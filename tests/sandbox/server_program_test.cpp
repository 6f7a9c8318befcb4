// The smartq-sandbox program itself: start, port file, health, SIGTERM.
#include <doctest/doctest.h>

#include <csignal>
#include <thread>

#include "support/child_process.hpp"
#include "support/http_client.hpp"

using namespace smartq::test;

namespace {

std::uint16_t wait_for_port(const std::filesystem::path& file, ChildProcess& child) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline && child.running()) {
        auto text = read_file(file);
        if (!text.empty()) {
            return static_cast<std::uint16_t>(std::stoi(text));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("no port file; stderr: " << child.stderr_text());
    return 0;
}

}  // namespace

TEST_CASE("smartq-sandbox serves on --port 0, writes --port-file and stops on SIGTERM") {
    TempDir dir;
    ChildProcess child(SMARTQ_SANDBOX_BIN,
                       {"--port", "0", "--port-file", (dir / "port").string(), "--size", "tiny",
                        "--seed", "3", "--api-key", "k", "--error-rate", "0"});
    const auto port = wait_for_port(dir / "port", child);
    CHECK(port > 0);
    CHECK(http(port, "GET", "/__admin/health").status == 200);
    CHECK(http(port, "GET", "/api/v1/users/me",
               {{"X-Auth-Client-Id", "k"}, basic_auth("admin@sandbox.test", "sandbox-password")})
              .status == 200);
    child.kill(SIGTERM);
    auto status = child.wait(std::chrono::seconds(10));
    REQUIRE(status.has_value());
    CHECK(status->code == 0);
    CHECK(child.stderr_text().find("seed 3") != std::string::npos);
}

TEST_CASE("smartq-sandbox refuses bad command lines") {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--port", "0", "--size", "huge"},
             {"--port", "0", "--error-rate", "2"},
             {"--port", "0", "--error-rate", "0.6", "--drop-rate", "0.6"},
             {"--port", "0", "--host", "not-an-address"},
             {"--size", "tiny"}}) {
        ChildProcess child(SMARTQ_SANDBOX_BIN, args);
        auto status = child.wait(std::chrono::seconds(10));
        REQUIRE(status.has_value());
        CHECK(status->code != 0);
    }
}
