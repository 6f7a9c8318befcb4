// The resources below a ticket (the table's tree: notes, tasks, the files of each note),
// read as independent jobs of the crawl's queue: the ticket's own children list at once, each
// listed object queues the listing of its children, and each listed file the download of its
// body. The last step to end settles the sweeps and, if everything was stored and committed,
// marks the ticket read in the same write unit as its last child.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <unordered_set>

#include "store/child_marks.hpp"
#include "sync/crawl/rows.hpp"
#include "sync/crawl/walk_state.hpp"
#include "sync/crawler.hpp"
#include "sync/wire/normalise.hpp"
#include "sync/wire/time.hpp"

namespace smartq::sync {
namespace asio = boost::asio;
namespace dom = simdjson::dom;
using store::ChangeKind;

asio::awaitable<void> Crawler::walk_ticket(WalkPtr walk, Chain& chain) {
    check_stop();
    auto& w = *walk;
    // Marks vouch for committed children only: a window rolled back while this ticket's
    // children were written takes some of them with it.
    w.epoch = replica_.lost_windows();
    w.listed_from = wire::now_seconds();
    for (const auto* r : descendants(Kind::Tickets)) {
        auto& below = w.below.emplace_back();
        below.resource = r;
        // Every resource below a ticket names it, however deep: one sweep per ticket.
        if (w.has_children)
            below.sweep.emplace(replica_.begin_sweep(r->table, "ticket_id", w.context.ticket_id));
    }
    auto first = children(Kind::Tickets);
    ++w.steps;  // this job's own step, the first child's listing
    for (std::size_t i = 1; i < first.size(); ++i)
        queue_step(walk, chain, list_step(first[i]->kind, w.context));
    co_await run_step(walk, chain, list_step(first.front()->kind, w.context));
}

Crawler::WalkStep Crawler::list_step(Kind kind, Context at) {
    return [this, kind, at = std::move(at)](const WalkPtr& walk, Chain& chain) {
        return list_below(walk, kind, at, chain);
    };
}

void Crawler::queue_step(const WalkPtr& walk, const Chain& after, WalkStep step) {
    ++walk->steps;
    queue_->push_begun(after, [this, walk, step = std::move(step)](Chain& chain) {
        return run_step(walk, chain, step);
    });
}

asio::awaitable<void> Crawler::run_step(WalkPtr walk, Chain& chain, const WalkStep& step) {
    if (!walk->stopped()) {
        try {
            check_stop();
            co_await step(walk, chain);
        } catch (const http::HttpError& error) {
            if (!crawl::is_permanent(error))
                throw;
            stop_walk(*walk, error);
        }
    }
    if (--walk->steps == 0)
        co_await finish_ticket(walk, chain);
}

void Crawler::stop_walk(TicketWalk& walk, const http::HttpError& error) {
    if (walk.stopped())
        return;
    // A 404 of a child list: deleted since it was listed, or a server refusing it. Only the
    // ticket's own URL can tell. Any other refusal leaves the ticket unmarked.
    if (error.status() == 404) {
        walk.child_missing = error.what();
    } else {
        walk.refused = true;
        refused(error, fmt::format("ticket {}", walk.context.ticket_id));
    }
}

asio::awaitable<void> Crawler::list_below(const WalkPtr& walk, Kind kind, Context at,
                                          Chain& chain) {
    auto& w = *walk;
    auto& below = w.of(kind);
    const auto& r = *below.resource;
    auto hook = r.restore.hook;
    std::unordered_set<std::int64_t> listed;
    std::set<std::int64_t> parents;
    bool any = false;
    bool whole = co_await list_into(
        r, at, below.sweep ? &*below.sweep : nullptr, chain,
        [&](const store::Record& record, dom::element item, ChangeKind) {
            auto key = store::as_text(record.key.back());
            for (const auto* child : children(kind))
                queue_step(walk, chain, list_step(child->kind, within(r, at, key)));
            if (hook == RestoreHook::NoteThreads) {
                listed.insert(std::get<std::int64_t>(record.key[0]));
                auto parent = wire::field(item, "parent_id");
                if (auto id = parent ? wire::as_id(*parent) : std::nullopt)
                    parents.insert(*id);
            }
            if (hook == RestoreHook::FileBodies) {
                any = true;
                queue_body(walk, at, std::get<std::int64_t>(record.key[0]), item, chain);
            }
        });
    below.whole = below.whole && whole;
    if (hook == RestoreHook::NoteThreads)
        notice_hidden_parents(w, listed, parents);
    w.bodies_skipped = w.bodies_skipped || (!options_.files && any);
    // Deeper resources are listed once per parent: their sweep is settled when the walk ends.
    if (r.parent != Kind::Tickets || !below.sweep)
        co_return;
    if (r.deletion == Deletion::OwnUrl)
        co_await settle_sweep(r, *below.sweep, w.context, below.whole, chain);
    else if (below.whole)
        below.unlisted = below.sweep->unseen_keys();
    below.sweep.reset();
}

// A reply whose parent is not listed: the server hides that note from this login.
void Crawler::notice_hidden_parents(const TicketWalk& walk,
                                    const std::unordered_set<std::int64_t>& listed,
                                    const std::set<std::int64_t>& parents) {
    for (auto parent : parents) {
        if (!listed.count(parent)) {
            ++hidden_parents_;
            notice(fmt::format(
                "ticket {} has a reply to note {}, which the server does not show this login",
                walk.context.ticket_id, parent));
        }
    }
}

asio::awaitable<bool> Crawler::list_into(const Resource& resource, const Context& context,
                                         store::Sweep* sweep, Chain& chain, const Each& each) {
    bool whole = true;
    auto request = list_request(resource, list_path(resource, context), chain);
    request.params = resource.list_params;
    request.paged_by_guide = resource.restore.paged_by_guide;
    auto outcome = co_await list_pages(
        client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
            whole = store_page(resource, items, context, sweep, each) && whole;
            co_return true;
        });
    co_return accept(outcome) && whole;
}

// RestoreHook::FileBodies: a body verified once is never fetched again.
void Crawler::queue_body(const WalkPtr& walk, const Context& at, std::int64_t id, dom::element item,
                         const Chain& after) {
    if (!options_.files || downloader_.has_body(id))
        return;
    auto member = wire::field(item, "size");
    auto n = member ? wire::as_number(*member) : std::nullopt;
    auto size = n ? std::optional<std::uint64_t>(*n) : std::nullopt;
    queue_step(walk, after, [this, at, id, size](const WalkPtr& walk, Chain& next) {
        return download(walk, at, id, size, next);
    });
}

asio::awaitable<void> Crawler::download(WalkPtr walk, Context at, std::int64_t file_id,
                                        std::optional<std::uint64_t> size, Chain& chain) {
    auto& w = *walk;
    auto target =
        list_path(resource(Kind::Files), at) + "/" + std::to_string(file_id) + "/download";
    ++chain.requests;
    try {
        auto got = co_await downloader_.fetch(target, file_id, size);
        if (!got.blob) {
            problem(fmt::format("file {} of ticket {} has {} bytes where its metadata says {}",
                                file_id, w.context.ticket_id, got.received, *size));
            w.complete = false;
            co_return;
        }
        ++progress_.attachments;
        progress_.attachment_bytes += got.blob->size;
    } catch (const http::HttpError& error) {
        if (!crawl::is_permanent(error))
            throw;
        refused(error, fmt::format("the body of file {}", file_id));
        w.complete = false;
    }
}

asio::awaitable<void> Crawler::finish_ticket(WalkPtr walk, Chain& chain) {
    auto& w = *walk;
    if (!w.stopped()) {
        try {
            co_await settle_children(w, chain);
        } catch (const http::HttpError& error) {
            if (!crawl::is_permanent(error))
                throw;
            stop_walk(w, error);
        }
    }
    if (w.child_missing)
        co_await confirm_ticket_gone(w.context, *w.child_missing, chain);
}

// Times have whole seconds and no stated zone. An update time's second had ended when the
// children were listed if a newer update time was seen before; or if this machine first saw it
// more than a second before the listing (two whole seconds of its clock, whatever the server's
// zone); or if it is older than the widest zone offset (14 hours) and an hour of clock error.
bool Crawler::TicketWalk::second_ended() const {
    constexpr auto kWidestOffset = std::chrono::hours(15);
    auto time = wire::parse_time(update_time);
    return seen_before > update_time || listed_from - first_seen >= std::chrono::seconds(2) ||
           (time && *time < listed_from - kWidestOffset);
}

asio::awaitable<void> Crawler::settle_children(TicketWalk& w, Chain& chain) {
    for (auto& below : w.below) {
        w.complete = w.complete && below.whole;
        if (below.sweep) {
            co_await settle_sweep(*below.resource, *below.sweep, w.context,
                                  w.whole_down_to(below.resource->kind), chain);
            below.sweep.reset();
        }
    }
    for (auto& below : w.below)
        if (!below.unlisted.empty())
            co_await list_again(w, *below.resource, below.unlisted, chain);
    // A ticket with anything not stored stays unmarked, so that the next run reads it again.
    if (w.complete && replica_.lost_windows() == w.epoch) {
        auto mark = w.update_time;
        if (!w.second_ended())
            mark = crawl::open_mark(w.update_time, w.first_seen);
        if (w.bodies_skipped)
            mark += crawl::kWithoutBodies;
        auto tx = replica_.begin();
        store::mark_children_stored(replica_, w.context.ticket_id, mark,
                                    tables_below(Kind::Tickets));
        tx.commit();
        marks_[std::to_string(w.context.ticket_id)] = mark;
    }
}

// Deletion::TwoListings: a row is gone when this second listing, taken after the rest of the
// ticket was read, lacks it as the first did.
asio::awaitable<void> Crawler::list_again(TicketWalk& w, const Resource& r,
                                          const std::vector<std::vector<store::Value>>& unlisted,
                                          Chain& chain) {
    auto again = replica_.begin_sweep(r.table, "ticket_id", w.context.ticket_id);
    if (!co_await list_into(r, w.context, &again, chain)) {
        w.complete = false;
        co_return;
    }
    auto still = again.unseen_keys();
    auto tx = replica_.begin();
    std::int64_t marked = 0;
    for (const auto& key : unlisted)
        if (std::find(still.begin(), still.end(), key) != still.end())
            marked += replica_.tombstone(r.table, key, run_) ? 1 : 0;
    tx.commit();
    progress_.records[std::string(r.name)].deleted += marked;
}

}  // namespace smartq::sync
