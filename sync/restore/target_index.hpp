// What the target already holds under one parent, by natural key: where a
// restore looks before it creates, so that a rerun or a lost answer never
// makes an object twice. The id map is the authority for what this restore
// made; the listing finds what it made without knowing (a POST whose answer
// was lost) and what the server made on its own (a new project's defaults).
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "sync/http/api_client.hpp"
#include "sync/pager.hpp"
#include "sync/resources.hpp"

namespace smartq::sync::restore {

class TargetIndex {
  public:
    void add(std::string natural, std::string key, bool finished);
    bool has(const std::string& key) const { return present_.count(key) > 0; }
    // An object the listing missed (ties in its order) but its own GET found.
    void confirm(const std::string& key, bool finished);
    bool finished(const std::string& key) const { return finished_.count(key) > 0; }
    bool has_natural(const std::string& natural) const;

    // The first object of this natural key not yet adopted for which `taken`
    // is false. An entry is consumed when adopted so that two source objects
    // never become one target object.
    template <class Taken>
    std::optional<std::string> adopt(const std::string& natural, Taken&& taken) {
        auto it = by_natural_.find(natural);
        if (it == by_natural_.end())
            return std::nullopt;
        auto& keys = it->second;
        while (!keys.empty()) {
            auto key = std::move(keys.front());
            keys.pop_front();
            if (!taken(key))
                return key;
        }
        return std::nullopt;
    }

    // (natural key, key) of the objects never adopted, sorted: with the id
    // map, what the server made on its own.
    std::vector<std::pair<std::string, std::string>> unadopted() const;

    // Empty when the listing was read whole; else why it may lack objects.
    // An object neither the id map nor a whole listing knows must not be
    // created: it may be there already.
    const std::string& doubt() const { return doubt_; }
    void set_doubt(std::string doubt) { doubt_ = std::move(doubt); }

  private:
    std::unordered_set<std::string> present_;
    std::unordered_set<std::string> finished_;
    std::unordered_map<std::string, std::deque<std::string>> by_natural_;
    std::string doubt_;
};

// Lists the target's objects of `kind` under `where`. A listing read in doubt
// (ties reordered between its pages) is read again, up to three times, and
// the union kept; a doubt that remains is the index's doubt().
boost::asio::awaitable<TargetIndex> read_target(http::ApiClient& client, PageCaps& caps, Kind kind,
                                                Context where);

}  // namespace smartq::sync::restore
