#include "sync/pager.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <unordered_set>

#include "sync/wire/normalise.hpp"
#include "sync/wire/utf8.hpp"

namespace smartq::sync {
namespace asio = boost::asio;
namespace dom = simdjson::dom;

namespace {

// A pass that finds the list moved under it is read again, this many times in all.
constexpr int kPasses = 3;
// Reading the positions of a tied group again: at most this many requests per page it spans.
// Each request shows a random slice of the group; 300 tied rows over three pages are
// all seen after about 20 requests.
constexpr std::size_t kTieRequestsPerPage = 12;

// What identifies a list item: its id, or a custom field's name.
std::string identity(dom::element item) {
    for (auto name : {"id", "name"}) {
        if (auto member = wire::field(item, name))
            return wire::to_json(*member);
    }
    return wire::to_json(item);
}

std::string sort_value(dom::element item, std::string_view order) {
    if (order.empty())
        return identity(item);
    auto member = wire::field(item, order);
    return member ? wire::to_json(*member) : std::string{};
}

std::string with_query(const ListRequest& request, std::size_t count, std::size_t offset) {
    std::string target = request.path + "?" + request.params;
    if (!request.params.empty())
        target += "&";
    return target + fmt::format("count={}&offset={}", count, offset);
}

// One listing of a list: the sort key at every position read, the rows handed on, and the
// requests that read them.
class Listing {
  public:
    Listing(http::ApiClient& client, PageCaps& caps, const ListRequest& request,
            const PageHandler& handler)
        : client_(client),
          cap_(caps.of(std::string(resource(request.kind).name) + "?" + request.params)),
          request_(request),
          handler_(handler) {
        outcome_.list = request.path;
    }

    asio::awaitable<ListOutcome> read() {
        for (int pass = 1; pass <= kPasses && outcome_.whole(); ++pass) {
            if (co_await read_pass() && outcome_.whole()) {
                co_await read_tied_groups();
                co_return outcome_;
            }
        }
        if (outcome_.doubt.empty() && !outcome_.stopped)
            outcome_.doubt = fmt::format("the list {} kept changing while it was read", name());
        co_return outcome_;
    }

  private:
    struct Page {
        http::JsonResponse response;
        std::vector<dom::element> items;
    };

    std::string name() const { return request_.path; }

    asio::awaitable<Page> fetch(std::size_t count, std::size_t offset) {
        if (request_.between_pages && fetched_++ > 0)
            co_await request_.between_pages();
        if (request_.sent)
            ++*request_.sent;
        auto response = co_await client_.get(with_query(request_, count, offset));
        auto items = wire::list_items(response.data());
        if (response.repairs() > 0) {
            for (auto item : items) {
                auto id = identity(item);
                if (wire::to_json(item).find(wire::kReplacementCharacter) != std::string::npos &&
                    std::find(outcome_.repaired.begin(), outcome_.repaired.end(), id) ==
                        outcome_.repaired.end())
                    outcome_.repaired.push_back(std::move(id));
            }
        }
        spdlog::debug("{}: {} page at offset {}: {} rows", client_.account(), request_.path, offset,
                      items.size());
        co_return Page{std::move(response), std::move(items)};
    }

    // Hands on the rows not handed before; false if the handler wants no more.
    asio::awaitable<bool> hand(const std::vector<dom::element>& items) {
        std::vector<dom::element> fresh;
        for (auto item : items) {
            auto id = identity(item);
            seen_.emplace(sort_value(item, request_.order), id);
            if (handed_.insert(std::move(id)).second)
                fresh.push_back(item);
        }
        outcome_.rows += fresh.size();
        if (fresh.empty())
            co_return true;
        if (!co_await handler_(fresh)) {
            outcome_.stopped = true;
            co_return false;
        }
        co_return true;
    }

    static std::vector<std::string> identities(const std::vector<dom::element>& items) {
        std::vector<std::string> ids;
        for (auto item : items)
            ids.push_back(identity(item));
        return ids;
    }

    // One pass from offset 0 to the end. False if the list moved under it (read it again).
    asio::awaitable<bool> read_pass() {
        positions_.clear();
        std::vector<std::string> first;
        std::vector<std::string> previous;
        std::size_t offset = 0;
        for (;;) {
            auto page = co_await fetch(request_.page_size, offset);
            auto& items = page.items;
            auto ids = identities(items);
            if (offset > 0 && !items.empty() && (ids == first || ids == previous)) {
                // A list the guide gives no paging for, answered whole and short of the count.
                if (!request_.paged_by_guide && first.size() < request_.page_size)
                    co_return true;
                outcome_.doubt = fmt::format(
                    "the server ignores offset in the list {}: the page at offset {} repeats an "
                    "earlier one",
                    name(), offset);
                co_return true;
            }
            if (offset > 0 && !items.empty() &&
                sort_value(items.front(), request_.order) != positions_.back()) {
                spdlog::debug("{}: {} moved at offset {}; reading it again", client_.account(),
                              name(), offset);
                co_return false;
            }
            if (offset == 0)
                first = ids;
            previous = std::move(ids);
            if (!positions_.empty() && !items.empty())
                positions_.pop_back();  // the overlapping row, read again
            for (auto item : items)
                positions_.push_back(sort_value(item, request_.order));
            if (!co_await hand(items))
                co_return true;
            // A server that ignores offset and shuffles rows of equal key answers a head of ties
            // in a new order at every offset: no page repeats, none looks moved, and the pass
            // would go on forever. Every position holds a row of its own, so positions far
            // outnumbering the rows ever seen mean the pass is reading the same rows again.
            if (positions_.size() > 2 * handed_.size() + cap_) {
                outcome_.doubt = fmt::format(
                    "the server ignores offset in the list {}: {} positions read hold only {} "
                    "rows",
                    name(), positions_.size(), handed_.size());
                co_return true;
            }
            auto received = items.size();
            // More than asked for: the server does not page this list and sent all of it.
            if (received == 0 || received > request_.page_size)
                co_return true;
            bool shorter_than_seen = received < cap_;
            cap_ = std::max(cap_, received);
            if (received < request_.page_size && shorter_than_seen)
                co_return true;
            if (received == 1 && offset > 0)
                co_return true;  // only the overlapping row: the end
            offset += received > 1 ? received - 1 : received;
        }
    }

    // How many distinct rows were seen with this sort key.
    std::size_t distinct(const std::string& key) const {
        auto first = seen_.lower_bound({key, std::string{}});
        std::size_t count = 0;
        for (auto it = first; it != seen_.end() && it->first == key; ++it)
            ++count;
        return count;
    }

    // Positions [begin, end) that hold one sort key, for each key of which fewer distinct rows
    // were seen than positions hold it.
    std::vector<std::pair<std::size_t, std::size_t>> short_groups() const {
        std::vector<std::pair<std::size_t, std::size_t>> groups;
        for (std::size_t begin = 0; begin < positions_.size();) {
            auto end = begin;
            while (end < positions_.size() && positions_[end] == positions_[begin])
                ++end;
            if (distinct(positions_[begin]) < end - begin)
                groups.emplace_back(begin, end);
            begin = end;
        }
        return groups;
    }

    asio::awaitable<void> read_tied_groups() {
        for (auto [begin, end] : short_groups()) {
            auto step = std::max<std::size_t>(2, std::min(cap_, request_.page_size));
            auto pages = (end - begin + step - 1) / step;
            auto budget = kTieRequestsPerPage * pages;
            const auto& key = positions_[begin];
            while (distinct(key) < end - begin) {
                for (auto offset = begin; offset < end && budget > 0; offset += step, --budget) {
                    auto page = co_await fetch(std::min(step, end - offset), offset);
                    for (std::size_t i = 0; i < page.items.size() && offset + i < end; ++i) {
                        if (sort_value(page.items[i], request_.order) != positions_[offset + i]) {
                            outcome_.doubt = fmt::format(
                                "the list {} changed while its rows of equal {} were read", name(),
                                request_.order);
                            co_return;
                        }
                    }
                    if (!co_await hand(page.items))
                        co_return;
                }
                if (budget == 0 && distinct(key) < end - begin) {
                    outcome_.doubt =
                        fmt::format("the list {} showed {} of the {} rows of {} {} it holds",
                                    name(), distinct(key), end - begin, request_.order, key);
                    co_return;
                }
            }
            spdlog::debug("{}: {}: all {} rows of {} {} seen", client_.account(), name(),
                          end - begin, request_.order, key);
        }
    }

    http::ApiClient& client_;
    std::size_t& cap_;
    const ListRequest& request_;
    const PageHandler& handler_;
    std::vector<std::string> positions_;  // the sort key at each position of the last pass
    // (sort key, identity) of every row seen: one node a row, as a listing of thousands of
    // tickets is held for as long as it is read.
    std::set<std::pair<std::string, std::string>> seen_;
    std::unordered_set<std::string> handed_;
    std::size_t fetched_ = 0;  // requests sent
    ListOutcome outcome_;
};

}  // namespace

asio::awaitable<ListOutcome> list_pages(http::ApiClient& client, PageCaps& caps,
                                        const ListRequest& request, const PageHandler& handler) {
    Listing listing(client, caps, request, handler);
    co_return co_await listing.read();
}

}  // namespace smartq::sync
