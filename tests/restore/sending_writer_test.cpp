// The restore's writes go through the transport's retrier, its only retry loop: a
// write whose answer was lost is looked for (a POST) or sent again (a PUT, a DELETE)
// by the hook the writer gives the retrier, never by a loop of the writer's own.
#include <utility>

#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "http/client_fixture.hpp"
#include "sync/restore/writer.hpp"

namespace asio = boost::asio;
using namespace smartq::http;
using namespace smartq::http::testing;
using smartq::sync::Kind;
using smartq::sync::restore::LookAgain;
using smartq::sync::restore::SendingWriter;
using smartq::sync::restore::TargetUnsure;
using smartq::sync::restore::Write;

namespace {

Write new_project() {
    Write write;
    write.kind = Kind::Projects;
    write.path = "/projects";
    write.form = "project%5Bname%5D=p";
    return write;
}

std::size_t sent(const FakeServer& server, const std::string& method, const std::string& path) {
    std::size_t count = 0;
    for (const auto& seen : server.requests_to("/api/v1" + path)) {
        count += seen.method == method;
    }
    return count;
}

// A look that finds `found` (or nothing) and counts its calls.
LookAgain look_finding(std::optional<std::string> found, int& calls) {
    return [found, &calls]() -> asio::awaitable<std::optional<std::string>> {
        ++calls;
        co_return found;
    };
}

struct Target {
    FakeServer server;
    asio::io_context io;
    std::unique_ptr<ApiClient> client;

    explicit Target(std::vector<Reply> replies) {
        server.script(std::move(replies));
        client = make_client(io, server.url(), fast_options(), Access::ReadWrite);
    }
};

}  // namespace

TEST_CASE("sending writer: a POST whose answer was lost and that the look finds is not resent") {
    Target target({Reply::drop()});
    SendingWriter writer(*target.client);
    int looks = 0;
    auto key = run(target.io, writer.create(new_project(), look_finding("42", looks)));
    CHECK(key == "42");
    CHECK(looks == 1);
    CHECK(sent(target.server, "POST", "/projects") == 1);
}

TEST_CASE("sending writer: a POST the look does not find is sent again by the transport") {
    Target target({Reply::html(502), Reply::data(R"({"id":"8"})")});
    SendingWriter writer(*target.client);
    int looks = 0;
    auto key = run(target.io, writer.create(new_project(), look_finding(std::nullopt, looks)));
    CHECK(key == "8");
    CHECK(looks == 1);
    CHECK(sent(target.server, "POST", "/projects") == 2);
    CHECK(target.client->stats().retries == 1);
}

TEST_CASE("sending writer: a POST answered 429 is sent again without a look") {
    auto limited = Reply::error(429, "slow down");
    limited.headers.push_back({"Retry-After", "0"});
    Target target({limited, Reply::data(R"({"id":"9"})")});
    SendingWriter writer(*target.client);
    int looks = 0;
    auto key = run(target.io, writer.create(new_project(), look_finding(std::nullopt, looks)));
    CHECK(key == "9");
    CHECK(looks == 0);
    CHECK(sent(target.server, "POST", "/projects") == 2);
}

TEST_CASE("sending writer: a look that cannot tell ends the POST, which is not resent") {
    Target target({Reply::drop()});
    SendingWriter writer(*target.client);
    LookAgain unsure = []() -> asio::awaitable<std::optional<std::string>> {
        throw TargetUnsure("the listing stayed incomplete");
        co_return std::nullopt;
    };
    CHECK_THROWS_AS(run(target.io, writer.create(new_project(), unsure)), TargetUnsure);
    CHECK(sent(target.server, "POST", "/projects") == 1);
}

TEST_CASE("sending writer: a POST never found is given up after the transport's attempts") {
    Target target(std::vector<Reply>(4, Reply::drop()));
    SendingWriter writer(*target.client);
    int looks = 0;
    auto error = http_error_of(
        [&] { run(target.io, writer.create(new_project(), look_finding(std::nullopt, looks))); });
    CHECK(error.cls() == ErrorClass::OutcomeUnknown);
    // fast_options() allows 4 attempts: each lost answer is looked for before the next.
    CHECK(looks == 4);
    CHECK(sent(target.server, "POST", "/projects") == 4);
}

TEST_CASE("sending writer: a PUT whose answer was lost is sent again as it is") {
    Target target({Reply::drop(), Reply::data(R"({"id":"7"})")});
    SendingWriter writer(*target.client);
    auto key = run(target.io, writer.update(Kind::Projects, "/projects/7", "project%5Bname%5D=q"));
    CHECK(key == "7");
    CHECK(sent(target.server, "PUT", "/projects/7") == 2);
}

TEST_CASE("sending writer: a DELETE resent after a lost answer and then not found is done") {
    Target target({Reply::drop(), Reply::error(404, "no such project")});
    SendingWriter writer(*target.client);
    run(target.io, writer.remove("/projects/7"));
    CHECK(sent(target.server, "DELETE", "/projects/7") == 2);
}

TEST_CASE("sending writer: a DELETE of what is not there at the first send is an error") {
    Target target({Reply::error(404, "no such project")});
    SendingWriter writer(*target.client);
    auto error = http_error_of([&] { run(target.io, writer.remove("/projects/7")); });
    CHECK(error.status() == 404);
    CHECK(sent(target.server, "DELETE", "/projects/7") == 1);
}
