// A write whose answer was lost is sent again only when a check finds it not carried out.
#include <utility>

#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "client_fixture.hpp"

namespace asio = boost::asio;
using namespace smartq::http;
using namespace smartq::http::testing;

namespace {

std::size_t writes_to(const FakeServer& server, const std::string& method) {
    std::size_t count = 0;
    for (const auto& seen : server.requests_to("/api/v1/projects")) {
        count += seen.method == method;
    }
    return count;
}

std::string id_of(const JsonResponse& answer) {
    std::string_view id;
    REQUIRE(answer.data()["id"].get(id) == simdjson::SUCCESS);
    return std::string(id);
}

// Looks for the project named "p" through the same client, as the restore does: true
// when the list holds it (its id then in `found`), false when the list is empty.
// Counts its calls.
WriteCheck look_for_project(ApiClient& client, int& calls, std::optional<std::string>& found) {
    return [&client, &calls, &found]() -> asio::awaitable<bool> {
        ++calls;
        auto listing = co_await client.get("/projects/search?name=p");
        simdjson::dom::array rows;
        if (listing.data().get(rows) != simdjson::SUCCESS || rows.size() == 0) {
            co_return false;
        }
        std::string_view id;
        if (rows.at(0)["id"].get(id) == simdjson::SUCCESS) {
            found = std::string(id);
        }
        co_return true;
    };
}

}  // namespace

TEST_CASE("write check: a write the check finds carried out is not sent again") {
    FakeServer server;
    server.script({Reply::drop(), Reply::data(R"([{"id":"7"}])")});
    asio::io_context io;
    auto client = make_client(io, server.url(), fast_options(), Access::ReadWrite);
    int calls = 0;
    std::optional<std::string> found;
    auto check = look_for_project(*client, calls, found);
    std::string method = "POST";
    std::optional<JsonResponse> answer;
    SUBCASE("post_form") {
        answer = run(io, client->post_form("/projects", "a=b", check));
    }
    SUBCASE("put_form") {
        method = "PUT";
        answer = run(io, client->put_form("/projects/7", "a=b", check));
    }
    SUBCASE("del") {
        method = "DELETE";
        answer = run(io, client->del("/projects/7", check));
    }
    SUBCASE("post_file") {
        answer = run(io, client->post_file("/projects", "a.txt", "text/plain", "body", check));
    }
    CHECK_FALSE(answer);  // the answer was lost; the check knows what was made
    CHECK(found == "7");
    CHECK(calls == 1);
    CHECK(writes_to(server, method) == 1);
}

TEST_CASE("write check: a write the check does not find is sent again and its answer kept") {
    FakeServer server;
    server.script({Reply::html(502), Reply::data("[]"), Reply::data(R"({"id":"8"})")});
    asio::io_context io;
    auto client = make_client(io, server.url(), fast_options(), Access::ReadWrite);
    int calls = 0;
    std::optional<std::string> found;
    auto answer =
        run(io, client->post_form("/projects", "a=b", look_for_project(*client, calls, found)));
    REQUIRE(answer);
    CHECK(id_of(*answer) == "8");
    CHECK_FALSE(found);
    CHECK(calls == 1);
    CHECK(writes_to(server, "POST") == 2);
    CHECK(client->stats().retries == 1);
}

TEST_CASE("write check: a write never found is sent max_attempts times, then is unknown") {
    FakeServer server;
    server.script({Reply::drop(), Reply::data("[]"), Reply::drop(), Reply::data("[]")});
    asio::io_context io;
    auto options = fast_options();
    options.retry.max_attempts = 2;
    auto client = make_client(io, server.url(), options, Access::ReadWrite);
    int calls = 0;
    std::optional<std::string> found;
    auto error = http_error_of([&] {
        run(io, client->post_form("/projects", "a=b", look_for_project(*client, calls, found)));
    });
    CHECK(error.cls() == ErrorClass::OutcomeUnknown);
    CHECK(calls == 2);
    CHECK(writes_to(server, "POST") == 2);
}

TEST_CASE("write check: a write refused outright is not looked for") {
    FakeServer server;
    server.script({Reply::error(422, "name taken")});
    asio::io_context io;
    auto client = make_client(io, server.url(), fast_options(), Access::ReadWrite);
    int calls = 0;
    std::optional<std::string> found;
    auto error = http_error_of([&] {
        run(io, client->post_form("/projects", "a=b", look_for_project(*client, calls, found)));
    });
    CHECK(error.cls() == ErrorClass::Permanent);
    CHECK(calls == 0);
    CHECK(writes_to(server, "POST") == 1);
}
