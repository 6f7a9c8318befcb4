// Injected faults over HTTP: each one as a client sees it, switched at start
// and at run time, never on the admin API.
#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "server_json.hpp"
#include "support/sandbox_fixture.hpp"

using namespace smartq;
using namespace smartq::test;

namespace {

sandbox::ServerOptions with_faults(sandbox::Faults faults) {
    sandbox::ServerOptions options;
    options.faults = faults;
    return options;
}

std::int64_t injected(const SandboxFixture& sandbox, const char* kind) {
    Json stats(sandbox.admin("GET", "stats").body);
    std::int64_t count = 0;
    return stats.root["faults_injected"][kind].get(count) == simdjson::SUCCESS ? count : 0;
}

}  // namespace

TEST_CASE("error faults answer 500/502/503 with an HTML body at about the rate") {
    sandbox::Faults faults;
    faults.error_rate = 0.3;
    faults.seed = 7;
    SandboxFixture sandbox(with_faults(faults));
    HttpConnection connection(sandbox.port());
    int errors = 0;
    for (int i = 0; i < 200; ++i) {
        auto response = connection.request("GET", "/api/v1/users/me", sandbox.auth_headers());
        REQUIRE(response.complete());
        if (response.status == 200) {
            continue;
        }
        ++errors;
        CHECK((response.status == 500 || response.status == 502 || response.status == 503));
        CHECK(response.header("Content-Type") == "text/html");
        CHECK(response.body.rfind("<html>", 0) == 0);
    }
    CHECK(errors > 40);
    CHECK(errors < 80);
    CHECK(injected(sandbox, "error") == errors);
}

TEST_CASE("the rate limit answers 429 with Retry-After, and the admin API is never limited") {
    sandbox::Faults faults;
    faults.rate_limit = 5;
    SandboxFixture sandbox(with_faults(faults));
    HttpConnection connection(sandbox.port());
    int ok = 0, limited = 0;
    for (int i = 0; i < 12; ++i) {
        auto response = connection.request("GET", "/api/v1/users/me", sandbox.auth_headers());
        if (response.status == 429) {
            ++limited;
            CHECK(response.header("Retry-After") == "1");
            check_error(response, 429);
        } else {
            ++ok;
        }
    }
    // The 12 requests fit in one second or, at worst, straddle two windows.
    CHECK(ok >= 5);
    CHECK(ok <= 10);
    CHECK(limited == 12 - ok);
    for (int i = 0; i < 10; ++i) {
        REQUIRE(sandbox.admin("GET", "health").status == 200);
    }
}

TEST_CASE("a dropped request closes the connection without an answer") {
    sandbox::Faults faults;
    faults.drop_rate = 1;
    SandboxFixture sandbox(with_faults(faults));
    HttpConnection connection(sandbox.port());
    auto response = connection.request("GET", "/api/v1/users/me", sandbox.auth_headers());
    CHECK(response.status == 0);
    CHECK(response.error.find("connection closed") != std::string::npos);
    CHECK_FALSE(connection.is_open());
    CHECK(injected(sandbox, "drop") == 1);
}

TEST_CASE("a truncated answer has a Content-Length and less body, then the connection closes") {
    sandbox::Faults faults;
    faults.truncate_rate = 1;
    SandboxFixture sandbox(with_faults(faults));
    HttpConnection connection(sandbox.port());
    auto response = connection.request("GET", "/api/v1/users", sandbox.auth_headers());
    CHECK(response.status == 200);
    REQUIRE(response.header("Content-Length").has_value());
    const auto length = std::stoull(*response.header("Content-Length"));
    CHECK(length > 0);
    CHECK(response.body.size() < length);
    CHECK_FALSE(response.complete());
    CHECK_FALSE(connection.is_open());
}

TEST_CASE("latency delays API answers, not admin answers") {
    sandbox::Faults faults;
    faults.latency_ms = 150;
    SandboxFixture sandbox(with_faults(faults));
    auto timed = [](auto&& call) {
        const auto start = std::chrono::steady_clock::now();
        call();
        return std::chrono::steady_clock::now() - start;
    };
    CHECK(timed([&] { sandbox.api("GET", "/users/me"); }) >= std::chrono::milliseconds(150));
    CHECK(timed([&] { sandbox.admin("GET", "health"); }) < std::chrono::milliseconds(100));
}

TEST_CASE("latency does not block other connections") {
    sandbox::Faults faults;
    faults.latency_ms = 300;
    SandboxFixture sandbox(with_faults(faults));
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> clients;
    for (int i = 0; i < 4; ++i) {
        clients.emplace_back([&] { CHECK(sandbox.api("GET", "/users/me").status == 200); });
    }
    for (auto& client : clients) {
        client.join();
    }
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1000));
}

TEST_CASE("faults are switched at run time, missing keys stay unchanged") {
    SandboxFixture sandbox;
    CHECK(sandbox.api("GET", "/users/me").status == 200);
    auto set = sandbox.admin("POST", "faults", R"({"error_rate":1,"latency_ms":1})");
    REQUIRE(set.status == 200);
    Json settings(set.body);
    CHECK(settings.root["error_rate"].get_double().value() == 1.0);
    CHECK(settings.root["latency_ms"].get_int64().value() == 1);
    CHECK(sandbox.api("GET", "/users/me").status >= 500);
    REQUIRE(sandbox.admin("POST", "faults", R"({"error_rate":0})").status == 200);
    Json read(sandbox.admin("GET", "faults").body);
    CHECK(read.root["latency_ms"].get_int64().value() == 1);
    CHECK(sandbox.api("GET", "/users/me").status == 200);

    for (const char* bad : {"not json", R"({"error_rate":2})", R"({"bogus":1})"}) {
        CAPTURE(bad);
        CHECK(sandbox.admin("POST", "faults", bad).status == 400);
    }
    CHECK(Json(sandbox.admin("GET", "faults").body).root["error_rate"].get_double().value() == 0);
}

TEST_CASE("a forbidden route is answered 403 with the guide's envelope, other routes are not") {
    SandboxFixture sandbox;
    REQUIRE(sandbox.admin("POST", "faults", R"({"forbidden_route":"GET /projects"})").status ==
            200);
    auto refused = sandbox.api("GET", "/projects");
    CHECK(refused.status == 403);
    CHECK(Json(refused.body).root["error"]["message"].is_string());
    CHECK(sandbox.api("GET", "/users/me").status == 200);
    CHECK(sandbox.admin("POST", "faults", R"({"forbidden_route":1})").status == 400);
    REQUIRE(sandbox.admin("POST", "faults", R"({"forbidden_route":""})").status == 200);
    CHECK(sandbox.api("GET", "/projects").status == 200);
}

TEST_CASE("the same fault seed gives the same sequence of answers") {
    auto statuses = [](std::uint64_t seed) {
        sandbox::Faults faults;
        faults.error_rate = 0.5;
        faults.seed = seed;
        SandboxFixture sandbox(with_faults(faults));
        std::vector<unsigned> result;
        for (int i = 0; i < 30; ++i) {
            result.push_back(sandbox.api("GET", "/users/me").status);
        }
        return result;
    };
    CHECK(statuses(3) == statuses(3));
    CHECK(statuses(3) != statuses(4));
}

namespace {

// The first bytes of an answer, read off a raw socket: for answers no client should
// read whole (endless or trickling). `reads` limits the recv calls after the head.
struct RawStart {
    std::string head;
    std::vector<std::size_t> body_reads;  // the size of each recv after the head
};

RawStart raw_start(std::uint16_t port, const std::string& request, int reads) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
    RawStart out;
    char buffer[65536];
    while (out.head.find("\r\n\r\n") == std::string::npos) {
        auto got = ::recv(fd, buffer, sizeof buffer, 0);
        REQUIRE(got > 0);
        out.head.append(buffer, static_cast<std::size_t>(got));
    }
    auto extra = out.head.size() - out.head.find("\r\n\r\n") - 4;
    out.head.resize(out.head.size() - extra);
    for (int i = 0; i < reads; ++i) {
        auto got = ::recv(fd, buffer, sizeof buffer, 0);
        REQUIRE(got > 0);
        out.body_reads.push_back(static_cast<std::size_t>(got));
    }
    ::close(fd);
    return out;
}

std::string get_request(const SandboxFixture& sandbox, const std::string& path) {
    std::string request = "GET /api/v1" + path + " HTTP/1.1\r\nHost: sandbox\r\n";
    for (const auto& [name, value] : sandbox.auth_headers()) {
        request += name + ": " + value + "\r\n";
    }
    return request + "\r\n";
}

std::size_t project_count(const SandboxFixture& sandbox) {
    Json projects(sandbox.api("GET", "/projects").body);
    return projects.root["data"].get_array().value().size();
}

}  // namespace

TEST_CASE("the rate limit is a sliding window: what left 0.6 s ago still counts") {
    sandbox::Faults faults;
    faults.rate_limit = 5;
    SandboxFixture sandbox(with_faults(faults));
    HttpConnection connection(sandbox.port());
    auto call = [&] {
        return connection.request("GET", "/api/v1/users/me", sandbox.auth_headers()).status;
    };
    for (int i = 0; i < 3; ++i) {
        REQUIRE(call() == 200);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    REQUIRE(call() == 200);
    REQUIRE(call() == 200);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    // The first three have left the window, the two of 0.5 s ago have not: three more
    // fit, the fourth does not. A counter reset every second would let all four through.
    CHECK(call() == 200);
    CHECK(call() == 200);
    CHECK(call() == 200);
    auto refused = connection.request("GET", "/api/v1/users/me", sandbox.auth_headers());
    CHECK(refused.status == 429);
    CHECK(refused.header("Retry-After") == "1");
}

TEST_CASE("a write that commits then drops, or commits then fails, is carried out all the same") {
    SandboxFixture sandbox;
    auto before = project_count(sandbox);
    SUBCASE("dropped") {
        REQUIRE(sandbox.admin("POST", "faults", R"({"commit_then_drop_rate":1})").status == 200);
        auto answer = sandbox.api("POST", "/projects", "project%5Bname%5D=Dropped");
        CHECK(answer.status == 0);
        CHECK(injected(sandbox, "commit_then_drop") == 1);
    }
    SUBCASE("answered 5xx") {
        REQUIRE(sandbox.admin("POST", "faults", R"({"commit_then_error_rate":1})").status == 200);
        auto answer = sandbox.api("POST", "/projects", "project%5Bname%5D=Failed");
        CHECK(answer.status >= 500);
        CHECK(answer.header("Content-Type") == "text/html");
        CHECK(injected(sandbox, "commit_then_error") == 1);
    }
    CHECK(project_count(sandbox) == before + 1);
    // Reads and the token request are never touched by these faults.
    CHECK(sandbox.api("GET", "/users/me").status == 200);
    auto token = http(sandbox.port(), "POST", "/api/v1/oauth2/", sandbox.auth_headers());
    CHECK(token.status == 200);
}

TEST_CASE("a huge answer is chunked JSON without a Content-Length, and never ends soon") {
    SandboxFixture sandbox;
    REQUIRE(sandbox.admin("POST", "faults", R"({"huge_answer_route":"GET /projects"})").status ==
            200);
    auto start = raw_start(sandbox.port(), get_request(sandbox, "/projects"), 64);
    CHECK(start.head.starts_with("HTTP/1.1 200"));
    CHECK(start.head.find("Transfer-Encoding: chunked") != std::string::npos);
    CHECK(start.head.find("Content-Length") == std::string::npos);
    std::size_t read = 0;
    for (auto size : start.body_reads) {
        read += size;
    }
    CHECK(read >= 64);  // 64 reads, none of them the end
    CHECK(sandbox.api("GET", "/users/me").status == 200);
}

TEST_CASE("a trickled answer comes one byte at a time, after a whole head") {
    SandboxFixture sandbox;
    REQUIRE(sandbox
                .admin("POST", "faults",
                       R"({"trickle_route":"GET /users/me","trickle_interval_ms":100})")
                .status == 200);
    auto start = raw_start(sandbox.port(), get_request(sandbox, "/users/me"), 3);
    CHECK(start.head.starts_with("HTTP/1.1 200"));
    CHECK(start.head.find("Content-Length") != std::string::npos);
    CHECK(start.body_reads == std::vector<std::size_t>{1, 1, 1});
    CHECK(sandbox.admin("POST", "faults", R"({"trickle_interval_ms":0})").status == 400);
}
