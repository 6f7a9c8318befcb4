// Offset pagination that loses no row to a page cap, a tie in the sort order, or a list that
// moves while it is read. wire-notes.md: a short page is no proof of the end, and nothing in
// the API promises a stable order for rows whose sort key is equal.
//
// - The cap is learnt per list (a resource and its query): a list the server does not page
//   must not make another list's full pages look short.
// - Consecutive pages overlap by one row; the overlapping row must have the same sort key both
//   times, else the list moved under the reader and the pass is read again.
// - Rows of equal sort key that straddle a page boundary (300 tickets created in one second) may
//   come in a different order on every request: the pager counts how many positions hold each
//   key and reads those positions again until it has seen as many distinct rows.
// - A page at a later offset that repeats the first or the previous one means the server
//   ignores offset: that is reported, not taken as the end.
// - A list answering more rows than asked for is not paged by the server: that answer is all.
// Whatever cannot be proven whole comes back as a doubt; the caller then tombstones nothing on
// the strength of that list and the run is partial.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "sync/http/api_client.hpp"
#include "sync/resources.hpp"

namespace smartq::sync {

// The largest page each list (a resource and its query) has answered: a lower bound of that
// list's cap. The crawler keeps them from run to run, so that a run with nothing new does not
// ask every list once more to learn that a short page was the end.
class PageCaps {
  public:
    std::size_t& of(const std::string& list) { return caps_[list]; }
    const std::map<std::string, std::size_t>& all() const { return caps_; }

  private:
    std::map<std::string, std::size_t> caps_;
};

struct ListRequest {
    Kind kind;
    std::string path;
    std::string params;      // query without count/offset; may be empty
    std::size_t page_size;   // the count asked for
    std::string_view order;  // the member the server sorts by; empty: a stable order of its own
    // The guide documents count/offset for this list: a later page repeating an earlier one is
    // a server ignoring offset. For the others (roles, steps, fields, values, files) it is a
    // server that does not page them, and its first short answer was all of it.
    bool paged_by_guide = false;
    // Counted up as each request is sent, when set: how long the chain of requests grew.
    std::size_t* sent = nullptr;
    // Awaited before each request but the first, when no page of the list is held any more:
    // a producer of new work waits for room here rather than in its handler, so that a
    // waiting listing does not keep a parsed page alive.
    std::function<boost::asio::awaitable<void>()> between_pages;
};

struct ListOutcome {
    std::string list;      // the path listed, for messages
    std::size_t rows = 0;  // distinct rows handed to the handler
    std::string doubt;     // empty: the list was read whole; else one sentence why it was not
    bool stopped = false;  // the handler asked to stop
    // Rows (their id) whose text held invalid UTF-8, handed on with U+FFFD in its place.
    std::vector<std::string> repaired;
    bool whole() const { return doubt.empty() && !stopped; }
};

// Called with each page's rows not handed before; returns false to stop early.
using PageHandler =
    std::function<boost::asio::awaitable<bool>(const std::vector<simdjson::dom::element>& items)>;

boost::asio::awaitable<ListOutcome> list_pages(http::ApiClient& client, PageCaps& caps,
                                               const ListRequest& request,
                                               const PageHandler& handler);

}  // namespace smartq::sync
