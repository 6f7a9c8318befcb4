#include "sync/pager.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "sync/wire/normalise.hpp"

namespace smartq::sync {
namespace asio = boost::asio;

bool PageSizes::may_continue(std::size_t received, std::size_t asked) {
    if (received == 0)
        return false;
    bool shorter_than_seen = received < largest_;
    largest_ = std::max(largest_, received);
    return received >= asked || !shorter_than_seen;
}

namespace {
std::string with_query(const std::string& path, const std::string& params,
                       const std::string& more) {
    std::string target = path + "?" + params;
    if (!params.empty() && !more.empty())
        target += "&";
    return target + more;
}
}  // namespace

namespace {

// What identifies a list item: its id, or a custom field's name.
std::string identity(simdjson::dom::element item) {
    for (auto name : {"id", "name"}) {
        if (auto member = wire::field(item, name))
            return wire::to_json(*member);
    }
    return wire::to_json(item);
}

}  // namespace

asio::awaitable<std::size_t> list_pages(http::ApiClient& client, PageSizes& sizes, Kind kind,
                                        const std::string& path, const std::string& params,
                                        std::size_t page_size, const PageHandler& handler) {
    std::size_t offset = 0;
    std::string previous_first;
    for (;;) {
        auto page =
            with_query(path, params,
                       "count=" + std::to_string(page_size) + "&offset=" + std::to_string(offset));
        auto response = co_await client.get(std::move(page));
        auto items = wire::list_items(response.data());
        // A server that ignores offset answers the first page again: that is the end.
        if (offset > 0 && !items.empty() && identity(items.front()) == previous_first)
            break;
        if (!items.empty())
            previous_first = identity(items.front());
        spdlog::debug("{}: {} page at offset {}: {} rows", client.account(), resource(kind).name,
                      offset, items.size());
        offset += items.size();
        bool wanted = co_await handler(items);
        if (!wanted || !sizes.may_continue(items.size(), page_size))
            break;
    }
    co_return offset;
}

}  // namespace smartq::sync
