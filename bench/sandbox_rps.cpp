// sandbox_rps: N keep-alive connections fetch ticket-list pages (count=100,
// custom_fields=1, assigned_to=1) from an in-process sandbox for a few
// seconds; prints requests per second and MB per second.
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <simdjson.h>
#include <CLI/CLI.hpp>

#include "sandbox/account.hpp"
#include "support/sandbox_fixture.hpp"

using namespace smartq;

namespace {

struct Totals {
    std::atomic<std::uint64_t> requests{0}, bytes{0}, failures{0};
};

// The project with the most tickets on the first page of the project list.
std::string busiest_project(const test::SandboxFixture& sandbox) {
    simdjson::dom::parser parser;
    auto projects = parser.parse(sandbox.api("GET", "/projects?count=1000").body);
    std::string best;
    std::size_t most = 0;
    for (auto project : projects["data"].get_array()) {
        auto id = std::to_string(project["id"].get_int64().value());
        simdjson::dom::parser page_parser;
        auto page =
            page_parser.parse(sandbox.api("GET", "/projects/" + id + "/tickets?count=100").body);
        auto size = page["data"].get_array().size();
        if (best.empty() || size > most) {
            best = id;
            most = size;
        }
    }
    return best;
}

void hammer(const test::SandboxFixture& sandbox, const std::string& project,
            std::chrono::steady_clock::time_point until, int client, Totals& totals) {
    test::HttpConnection connection(sandbox.port());
    const auto headers = sandbox.auth_headers();
    for (int page = client; std::chrono::steady_clock::now() < until; page += 7) {
        const auto target = fmt::format(
            "/api/v1/projects/{}/tickets?count=100&custom_fields=1&assigned_to=1&offset={}",
            project, (page % 10) * 100);
        auto response = connection.request("GET", target, headers);
        if (response.status != 200 || !response.complete()) {
            ++totals.failures;
            return;
        }
        ++totals.requests;
        totals.bytes += response.body.size();
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::string size = "medium";
    int connections = 4;
    double seconds = 3;
    CLI::App app{"sandbox_rps: ticket-list pages per second served by smartq-sandbox"};
    app.add_option("--size", size, "sandbox size")->capture_default_str();
    app.add_option("--connections", connections, "keep-alive connections")->capture_default_str();
    app.add_option("--seconds", seconds, "duration")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    sandbox::ServerOptions options;
    options.size = sandbox::parse_size(size);
    const auto seeding = std::chrono::steady_clock::now();
    test::SandboxFixture sandbox(options);
    const auto seeded = std::chrono::steady_clock::now() - seeding;
    const auto project = busiest_project(sandbox);

    Totals totals;
    const auto start = std::chrono::steady_clock::now();
    const auto until = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                   std::chrono::duration<double>(seconds));
    std::vector<std::thread> clients;
    for (int i = 0; i < connections; ++i) {
        clients.emplace_back(hammer, std::cref(sandbox), std::cref(project), until, i,
                             std::ref(totals));
    }
    for (auto& client : clients) {
        client.join();
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << fmt::format(
        "sandbox_rps: size {}, seeded in {:.2f} s, {} connections, {:.1f} s: {:.0f} requests/s, "
        "{:.1f} MB/s, {} failures\n",
        size, std::chrono::duration<double>(seeded).count(), connections, elapsed,
        totals.requests / elapsed, totals.bytes / elapsed / 1e6, totals.failures.load());
    return totals.failures == 0 ? 0 : 1;
}
