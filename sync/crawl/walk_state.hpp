// What the parts of the crawl share about one project and one ticket while they are read.
// Internal to the crawler's files.
#pragma once

#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_set>
#include <vector>

#include "store/replica.hpp"
#include "sync/crawler.hpp"
#include "sync/wire/time.hpp"

namespace smartq::sync {

namespace crawl {
// Appended to the mark of a ticket read with --no-files that has attachments: a run with
// files reads it again for the bodies, another run without files does not.
constexpr std::string_view kWithoutBodies = " without bodies";
// The mark of a ticket whose children were listed while its update time may have been the
// server's current second: a change later in that second keeps the update time, so the mark
// must not vouch for them, and the next run reads them again. It keeps when this machine first
// saw that update time, which tells the next run that the second has ended by now.
constexpr std::string_view kOpenSince = " open, first seen ";
inline std::string open_mark(const std::string& update_time, wire::Seconds first_seen) {
    return update_time + std::string(kOpenSince) + wire::format_time(first_seen);
}
// When an open mark says this machine first saw `update_time`; nullopt for any other mark.
inline std::optional<wire::Seconds> open_since(std::string_view mark,
                                               std::string_view update_time) {
    if (!mark.starts_with(update_time) || !mark.substr(update_time.size()).starts_with(kOpenSince))
        return std::nullopt;
    constexpr std::size_t kTimeSize = std::string_view("YYYY-MM-DD HH:MM:SS").size();
    return wire::parse_time(mark.substr(update_time.size() + kOpenSince.size(), kTimeSize));
}
}  // namespace crawl

// What one project's crawl knows: its context and the watermark it saw.
struct Crawler::ProjectScan {
    Context context;
    std::map<std::string, bool, std::less<>> choice_fields;
    std::string latest;                        // newest ticket update_time at the start
    std::unordered_set<std::int64_t> started;  // tickets already handled this run
};

// One ticket whose children are being read: its steps run as separate jobs, and the last one
// to end settles the sweeps and marks the ticket.
struct Crawler::TicketWalk {
    // What the walk knows of one resource below the ticket.
    struct Below {
        const Resource* resource = nullptr;
        // The sweep of its rows stored before; none for a ticket seen for the first time.
        std::optional<store::Sweep> sweep;
        bool whole = true;                                // every listing of it read whole
        std::vector<std::vector<store::Value>> unlisted;  // Deletion::TwoListings: by the first
    };

    Context context;
    std::string update_time;
    // The newest update time of any ticket seen before the children were listed.
    std::string seen_before;
    wire::Seconds first_seen{};  // when this machine first saw update_time
    wire::Seconds listed_from{};  // when its children began to be listed, by the same clock
    bool has_children = true;  // stored before: sweep them
    std::uint64_t epoch = 0;   // replica.lost_windows() at the start
    std::vector<Below> below;  // in table order
    std::size_t steps = 0;     // queued or running
    bool complete = true;
    bool bodies_skipped = false;
    std::optional<std::string> child_missing;  // a child list answered 404
    bool refused = false;                      // a child list was refused otherwise
    bool stopped() const { return child_missing || refused; }
    // Whether the second of update_time had surely ended when the children were listed.
    bool second_ended() const;
    Below& of(Kind kind) {
        for (auto& b : below)
            if (b.resource->kind == kind)
                return b;
        throw std::logic_error("a ticket's walk has no such resource below it");
    }
    // Whether the listings of `kind` and of every resource between it and the ticket were
    // read whole: only then can a row they lack be gone.
    bool whole_down_to(Kind kind) {
        for (std::optional<Kind> k = kind; k && *k != Kind::Tickets; k = resource(*k).parent)
            if (!of(*k).whole)
                return false;
        return true;
    }
};

}  // namespace smartq::sync
