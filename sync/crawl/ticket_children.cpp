// A ticket's notes, tasks, files and bodies, read as independent jobs of the crawl's queue:
// the notes and the tasks list at once, each listed note queues the listing of its files, and
// each listed file the download of its body. The last step to end settles the sweeps and, if
// everything was stored and committed, marks the ticket read in the same write unit as its
// last child.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <unordered_set>

#include "store/child_marks.hpp"
#include "sync/crawl/rows.hpp"
#include "sync/crawl/walk_state.hpp"
#include "sync/crawler.hpp"
#include "sync/wire/normalise.hpp"

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
    if (w.has_children) {
        auto id = w.context.ticket_id;
        w.notes.emplace(replica_.begin_sweep(resource(Kind::Notes).table, "ticket_id", id));
        w.tasks.emplace(replica_.begin_sweep(resource(Kind::Tasks).table, "ticket_id", id));
        w.files.emplace(replica_.begin_sweep(resource(Kind::Files).table, "ticket_id", id));
    }
    ++w.steps;  // this job's own step, the notes
    queue_step(walk, chain,
               [this](const WalkPtr& walk, Chain& at) { return list_first_tasks(walk, at); });
    WalkStep notes = [this](const WalkPtr& walk, Chain& at) { return list_notes(walk, at); };
    co_await run_step(walk, chain, notes);
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

asio::awaitable<void> Crawler::list_notes(const WalkPtr& walk, Chain& chain) {
    auto& w = *walk;
    const auto& notes = resource(Kind::Notes);
    std::unordered_set<std::int64_t> listed;
    std::set<std::int64_t> parents;
    auto request = list_request(notes, list_path(notes, w.context), chain);
    request.paged_by_guide = true;
    auto outcome = co_await list_pages(
        client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
            w.notes_whole =
                store_page(notes, items, w.context, w.notes ? &*w.notes : nullptr,
                           [&](const store::Record& record, dom::element item, ChangeKind) {
                               auto note = std::get<std::int64_t>(record.key[0]);
                               listed.insert(note);
                               queue_step(walk, chain,
                                          [this, note](const WalkPtr& walk, Chain& at) {
                                              return list_files(walk, note, at);
                                          });
                               auto parent = wire::field(item, "parent_id");
                               if (auto id = parent ? wire::as_id(*parent) : std::nullopt)
                                   parents.insert(*id);
                           }) &&
                w.notes_whole;
            co_return true;
        });
    w.notes_whole = accept(outcome) && w.notes_whole;
    // A reply whose parent is not listed: the server hides that note from this login.
    for (auto parent : parents) {
        if (!listed.count(parent)) {
            ++hidden_parents_;
            notice(fmt::format(
                "ticket {} has a reply to note {}, which the server does not show this login",
                w.context.ticket_id, parent));
        }
    }
    if (w.notes) {
        co_await settle_sweep(notes, *w.notes, w.context, crawl::kUnguarded, w.notes_whole, chain);
        w.notes.reset();
    }
}

// Tasks have no URL of their own to ask: a task is gone when two listings taken at different
// times lack it, this one and the second after the ticket's notes and files were read.
asio::awaitable<void> Crawler::list_first_tasks(const WalkPtr& walk, Chain& chain) {
    auto& w = *walk;
    bool whole = co_await list_tasks(w.context, w.tasks ? &*w.tasks : nullptr, chain);
    w.complete = w.complete && whole;
    if (w.tasks && whole)
        w.unlisted_tasks = w.tasks->unseen_keys();
    w.tasks.reset();
}

asio::awaitable<bool> Crawler::list_tasks(const Context& context, store::Sweep* sweep,
                                          Chain& chain) {
    const auto& r = resource(Kind::Tasks);
    bool whole = true;
    auto request = list_request(r, list_path(r, context), chain);
    request.paged_by_guide = true;
    auto outcome = co_await list_pages(client_, page_caps_, request,
                                       [&](const Items& items) -> asio::awaitable<bool> {
                                           whole = store_page(r, items, context, sweep) && whole;
                                           co_return true;
                                       });
    co_return accept(outcome) && whole;
}

asio::awaitable<void> Crawler::list_files(const WalkPtr& walk, std::int64_t note, Chain& chain) {
    auto& w = *walk;
    const auto& files = resource(Kind::Files);
    Context at = w.context;
    at.note_id = note;
    bool any = false;
    auto request = list_request(files, list_path(files, at), chain);
    auto outcome = co_await list_pages(
        client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
            w.files_whole =
                store_page(files, items, at, w.files ? &*w.files : nullptr,
                           [&](const store::Record& record, dom::element item, ChangeKind) {
                               any = true;
                               auto id = std::get<std::int64_t>(record.key[0]);
                               if (!options_.files || downloader_.has_body(id))
                                   return;  // verified once, never fetched again
                               auto member = wire::field(item, "size");
                               auto n = member ? wire::as_number(*member) : std::nullopt;
                               auto size = n ? std::optional<std::uint64_t>(*n) : std::nullopt;
                               queue_step(walk, chain,
                                          [this, note, id, size](const WalkPtr& walk, Chain& next) {
                                              return download(walk, note, id, size, next);
                                          });
                           }) &&
                w.files_whole;
            co_return true;
        });
    w.files_whole = accept(outcome) && w.files_whole;
    w.bodies_skipped = w.bodies_skipped || (!options_.files && any);
}

asio::awaitable<void> Crawler::download(WalkPtr walk, std::int64_t note, std::int64_t file_id,
                                        std::optional<std::uint64_t> size, Chain& chain) {
    auto& w = *walk;
    Context at = w.context;
    at.note_id = note;
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

asio::awaitable<void> Crawler::settle_children(TicketWalk& w, Chain& chain) {
    w.complete = w.complete && w.notes_whole && w.files_whole;
    if (w.files) {
        co_await settle_sweep(resource(Kind::Files), *w.files, w.context, crawl::kUnguarded,
                              w.files_whole && w.notes_whole, chain);
        w.files.reset();
    }
    if (!w.unlisted_tasks.empty()) {
        const auto& tasks = resource(Kind::Tasks);
        auto again = replica_.begin_sweep(tasks.table, "ticket_id", w.context.ticket_id);
        if (co_await list_tasks(w.context, &again, chain)) {
            auto still = again.unseen_keys();
            auto tx = replica_.begin();
            std::int64_t marked = 0;
            for (const auto& key : w.unlisted_tasks)
                if (std::find(still.begin(), still.end(), key) != still.end())
                    marked += replica_.tombstone(tasks.table, key, run_) ? 1 : 0;
            tx.commit();
            progress_.records[std::string(tasks.name)].deleted += marked;
        } else {
            w.complete = false;
        }
    }
    // A ticket with anything not stored stays unmarked, so that the next run reads it again.
    if (w.complete && replica_.lost_windows() == w.epoch) {
        auto mark = w.bodies_skipped ? w.update_time + std::string(crawl::kWithoutBodies)
                                     : w.update_time;
        auto tx = replica_.begin();
        store::mark_children_stored(replica_, w.context.ticket_id, mark);
        tx.commit();
        marks_[std::to_string(w.context.ticket_id)] = mark;
    }
}

}  // namespace smartq::sync
