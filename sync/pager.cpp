#include "sync/pager.hpp"

#include <algorithm>

#include "sync/wire/normalise.hpp"

namespace smartq::sync {
namespace asio = boost::asio;

bool PageSizes::may_continue(Kind kind, std::size_t received, std::size_t asked) {
    if (received == 0) return false;
    auto& largest = largest_[kind];
    bool shorter_than_seen = received < largest;
    largest = std::max(largest, received);
    return received >= asked || !shorter_than_seen;
}

namespace {
std::string with_query(const std::string& path, const std::string& params, const std::string& more) {
    std::string target = path + "?" + params;
    if (!params.empty() && !more.empty()) target += "&";
    return target + more;
}
}  // namespace

asio::awaitable<std::size_t> list_pages(http::ApiClient& client, PageSizes& sizes, Kind kind,
                                        const std::string& path, const std::string& params,
                                        std::size_t page_size, const PageHandler& handler) {
    std::size_t offset = 0;
    for (;;) {
        auto page = with_query(path, params,
                               "count=" + std::to_string(page_size) + "&offset=" + std::to_string(offset));
        auto response = co_await client.get(page);
        auto items = wire::list_items(response.data());
        offset += items.size();
        if (!co_await handler(items) || !sizes.may_continue(kind, items.size(), page_size)) break;
    }
    co_return offset;
}

asio::awaitable<std::size_t> list_all(http::ApiClient& client, const std::string& path,
                                      const std::string& params, const PageHandler& handler) {
    auto response = co_await client.get(params.empty() ? path : path + "?" + params);
    auto items = wire::list_items(response.data());
    co_await handler(items);
    co_return items.size();
}

}  // namespace smartq::sync
