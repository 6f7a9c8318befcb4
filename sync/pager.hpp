// Offset pagination that loses no row to a page cap. wire-notes.md: a short
// page is no proof of the end. We learn the cap: the largest page the server
// has returned in this run, over every list, is a lower bound of it (a cap is
// one server setting, not one per list). A page shorter than that is the end;
// a page that long may have a successor, and gets one more request.
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
    bool may_continue(std::size_t received, std::size_t asked);

  private:
    std::size_t largest_ = 0;
};

// Called with each page's items; returns false to stop early.
using PageHandler =
    std::function<boost::asio::awaitable<bool>(const std::vector<simdjson::dom::element>& items)>;

// Lists `path` (query `params` may be empty) page by page with count/offset.
// Every list is paged, also those the guide documents no count for (roles,
// steps, fields, values, files): a server may cap them too, and one that
// ignores offset is recognised by its first row coming back.
// Returns the number of rows handed to `handler`.
boost::asio::awaitable<std::size_t> list_pages(http::ApiClient& client, PageSizes& sizes, Kind kind,
                                               const std::string& path, const std::string& params,
                                               std::size_t page_size, const PageHandler& handler);

}  // namespace smartq::sync
