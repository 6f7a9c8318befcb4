// The pager's between_pages hook against a scripted server: a listing that must wait for
// room (the ticket listings wait on the work queue) waits between its pages, when it holds
// none, and never before its first page or inside its handler (which would keep a parsed
// page alive for as long as it waits).
#include <utility>

#include <doctest/doctest.h>

#include <fmt/format.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <set>
#include <string>

#include "../http/client_fixture.hpp"
#include "sync/pager.hpp"
#include "sync/wire/normalise.hpp"

namespace asio = boost::asio;
using namespace smartq;
using namespace smartq::http::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kList = "/api/v1/projects/1/tickets";

// Rows 1..rows with distinct sort keys, answered from the query's offset and count; the
// token request (a handler answers it too) gets a token.
Reply page_of(const SeenRequest& request, int rows) {
    if (request.method == "POST")
        return Reply::token("tok1", "ref1");
    auto number = [&](std::string_view name) {
        auto at = request.target.find(std::string(name) + "=");
        REQUIRE(at != std::string::npos);
        return std::stoi(request.target.substr(at + name.size() + 1));
    };
    int offset = number("offset");
    int count = number("count");
    std::string items;
    for (int i = offset; i < std::min(rows, offset + count); ++i)
        items += fmt::format(R"({}{{"id":"{}","insert_time":"2026-01-01 00:00:{:02}"}})",
                             items.empty() ? "" : ",", i + 1, i);
    return Reply::data("[" + items + "]");
}

// A project's tickets in pages of 3, the way the crawl lists them.
sync::ListRequest ticket_listing() {
    sync::ListRequest request{};
    request.kind = sync::Kind::Tickets;
    request.path = "/projects/1/tickets";
    request.page_size = 3;
    request.order = "insert_time";
    request.paged_by_guide = true;
    return request;
}

}  // namespace

TEST_CASE("pager: a listing waits for room between its pages, holding none of them") {
    constexpr int rows = 10;
    FakeServer server;
    server.handle([&](const SeenRequest& request) { return page_of(request, rows); });
    asio::io_context io;
    auto client = make_client(io, server.url());
    sync::PageCaps caps;

    bool in_handler = false;
    std::size_t waits = 0;
    std::set<std::string> handed;
    auto request = ticket_listing();
    request.between_pages = [&]() -> asio::awaitable<void> {
        ++waits;
        CHECK_FALSE(in_handler);
        // Each wait follows the page before it and comes before the next one is asked for.
        CHECK(server.requests_to(std::string(kList)).size() == waits);
        asio::steady_timer room(co_await asio::this_coro::executor, 5ms);
        co_await room.async_wait(asio::use_awaitable);
    };
    auto handler = [&](const std::vector<simdjson::dom::element>& items) -> asio::awaitable<bool> {
        in_handler = true;
        for (auto item : items)
            handed.insert(std::string(*wire::as_text(*wire::field(item, "id"))));
        asio::steady_timer work(co_await asio::this_coro::executor, 1ms);
        co_await work.async_wait(asio::use_awaitable);
        in_handler = false;
        co_return true;
    };

    auto outcome = run(io, sync::list_pages(*client, caps, request, handler));

    CHECK(outcome.whole());
    CHECK(handed.size() == rows);
    auto asked = server.requests_to(std::string(kList)).size();
    CHECK(asked > 1);
    CHECK(waits == asked - 1);
}
