// Offset pagination that loses no row to a page cap. wire-notes.md: a short
// page is no proof of the end. We remember the largest page each resource has
// returned in this run; a page shorter than that is the end (a cap is at least
// that large), anything else is followed by one more request.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <simdjson.h>

#include "sync/http/api_client.hpp"
#include "sync/resources.hpp"

namespace smartq::sync {

class PageSizes {
public:
    // Whether a page of `received` rows (having asked for `asked`) may have a successor.
    bool may_continue(Kind kind, std::size_t received, std::size_t asked);

private:
    std::map<Kind, std::size_t> largest_;
};

// Called with each page's items; returns false to stop early.
using PageHandler =
    std::function<boost::asio::awaitable<bool>(const std::vector<simdjson::dom::element>& items)>;

// Lists `path` (query `params` may be empty) page by page with count/offset.
// Returns the number of rows handed to `handler`.
boost::asio::awaitable<std::size_t> list_pages(http::ApiClient& client, PageSizes& sizes,
                                               Kind kind, const std::string& path,
                                               const std::string& params, std::size_t page_size,
                                               const PageHandler& handler);

// A list that the API does not page (roles, steps, fields, values, files).
boost::asio::awaitable<std::size_t> list_all(http::ApiClient& client, const std::string& path,
                                             const std::string& params,
                                             const PageHandler& handler);

}  // namespace smartq::sync
