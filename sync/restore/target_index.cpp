#include "sync/restore/target_index.hpp"

#include <algorithm>

namespace smartq::sync::restore {
namespace asio = boost::asio;
namespace dom = simdjson::dom;

namespace {

// Passes over a target listing that keeps changing while it is read.
constexpr int kIndexPasses = 3;

}  // namespace

void TargetIndex::add(std::string natural, std::string key, bool finished) {
    if (finished)
        finished_.insert(key);
    if (!present_.insert(key).second)
        return;  // listed again by another pass
    by_natural_[std::move(natural)].push_back(std::move(key));
}

void TargetIndex::confirm(const std::string& key, bool finished) {
    present_.insert(key);
    if (finished)
        finished_.insert(key);
}

bool TargetIndex::has_natural(const std::string& natural) const {
    auto it = by_natural_.find(natural);
    return it != by_natural_.end() && !it->second.empty();
}

std::vector<std::pair<std::string, std::string>> TargetIndex::unadopted() const {
    std::vector<std::pair<std::string, std::string>> left;
    for (const auto& [natural, keys] : by_natural_)
        for (const auto& key : keys)
            left.emplace_back(natural, key);
    std::sort(left.begin(), left.end());
    return left;
}

asio::awaitable<TargetIndex> read_target(http::ApiClient& client, PageCaps& caps, Kind kind,
                                         Context where) {
    TargetIndex out;
    const auto& r = resource(kind);
    // Named, so that the coroutine lambda outlives every frame it starts.
    PageHandler take = [&](const std::vector<dom::element>& items) -> asio::awaitable<bool> {
        for (auto item : items)
            if (auto key = object_key(r, item))
                out.add(natural_key(r, item), *key, finished(r, item));
        co_return true;
    };
    // Named too: g++ 12 mis-destroys a braced aggregate across a co_await.
    ListRequest request;
    request.kind = kind;
    request.path = list_path(r, where);
    request.params = std::string(r.list_params);
    if (!r.restore.order.empty())
        request.params += "&orderCol=" + std::string(r.restore.order) + "&reverse=0";
    request.page_size = static_cast<std::size_t>(r.page_size);
    request.order = r.restore.order;
    request.paged_by_guide = r.restore.paged_by_guide;
    for (int pass = 1;; ++pass) {
        auto outcome = co_await list_pages(client, caps, request, take);
        out.set_doubt(outcome.doubt);
        if (outcome.doubt.empty() || pass == kIndexPasses)
            break;
    }
    co_return out;
}

}  // namespace smartq::sync::restore
