// Deletions: a row the source no longer lists is marked deleted only when its own URL answers
// 404, never on the strength of a listing that was not read whole, and never en masse without
// --confirm-deletions; children of a deleted parent follow it.
#include <spdlog/spdlog.h>

#include "store/cascade.hpp"
#include "sync/crawl/rows.hpp"
#include "sync/crawl/walk_state.hpp"
#include "sync/crawler.hpp"

namespace smartq::sync {
namespace asio = boost::asio;
using crawl::value_text;
using store::Value;

void Crawler::guard_deletions(const Resource& resource, store::Sweep& sweep,
                              std::string_view scope) {
    auto guard_from = resource.deletion_guard;
    auto unseen = sweep.unseen_count();
    auto live = sweep.live_count();
    // A lost permission, a changed key or a server answering empty lists looks
    // like mass deletion; marking it would bury a good backup under tombstones.
    if (guard_from > 0 && !options_.confirm_deletions && live >= guard_from && unseen * 2 > live) {
        spdlog::warn("{}: the server no longer lists {} of {} {} of {}; marking none deleted",
                     account_, unseen, live, resource.name, scope);
        throw SyncError(
            SyncError::Reason::DeletionGuard,
            fmt::format("refusing to mark {} of {} {} of {} deleted; if they really were "
                        "deleted, run sync --confirm-deletions",
                        unseen, live, resource.name, scope));
    }
}

asio::awaitable<std::vector<Value>> Crawler::settle_sweep(const Resource& resource,
                                                          store::Sweep& sweep,
                                                          const Context& context, bool whole,
                                                          Chain& chain) {
    std::vector<Value> alive;
    auto unseen = sweep.unseen_count();
    auto scope = context.project_id ? list_path(resource, context) : std::string(resource.path);
    if (unseen == 0)
        co_return alive;
    if (!whole) {
        spdlog::warn("{}: {} was not read whole; none of its {} unlisted {} marked deleted",
                     account_, scope, unseen, resource.name);
        co_return alive;
    }
    guard_deletions(resource, sweep, scope);
    std::int64_t marked = 0;
    for (const auto& key : sweep.unseen_keys()) {
        check_stop();
        // The row's own URL: its parents from the stored row where the scope does not say.
        Context at = context;
        auto stored = replica_.find(resource.table, key);
        if (stored) {
            if (crawl::find_column(resource, "note_id"))
                at.note_id = std::get<std::int64_t>(
                    stored->columns[crawl::column_index(resource, "note_id")]);
            if (crawl::find_column(resource, "field_name") && resource.key_columns == 1)
                at.field_name =
                    value_text(stored->columns[crawl::column_index(resource, "field_name")]);
        }
        auto name = fmt::format("{} {}", resource.name, value_text(key.back()));
        try {
            auto query = resource.list_params.empty() ? std::string{}
                                                      : "?" + std::string(resource.list_params);
            ++chain.requests;
            auto answer = co_await client_.get(list_path(resource, at) + "/" +
                                               value_text(key.back()) + query);
            if (store_page(resource, {answer.data()}, at, nullptr))
                alive.push_back(key.back());
            problem(fmt::format("{} did not list {}, which exists", scope, name));
        } catch (const http::HttpError& error) {
            if (error.status() == 404) {
                auto tx = replica_.begin();
                marked += replica_.tombstone(resource.table, key, run_) ? 1 : 0;
                tx.commit();
                continue;
            }
            if (!crawl::is_permanent(error))
                throw;
            problem(fmt::format("{} is no longer listed and could not be confirmed deleted: {}",
                                name, error.what()));
        }
    }
    progress_.records[std::string(resource.name)].deleted += marked;
    spdlog::debug("{}: {} {} of {} confirmed deleted", account_, marked, resource.name, scope);
    co_return alive;
}

asio::awaitable<void> Crawler::confirm_ticket_gone(const Context& context, std::string why,
                                                   Chain& chain) {
    const auto& tickets = resource(Kind::Tickets);
    Value key{context.ticket_id};
    bool gone = false;
    try {
        ++chain.requests;
        co_await client_.get(list_path(tickets, context) + "/" + std::to_string(context.ticket_id));
        problem(fmt::format("ticket {} exists but a list of its children could not be read: {}",
                            context.ticket_id, why));
    } catch (const http::HttpError& error) {
        if (!crawl::is_permanent(error))
            throw;
        if (error.status() == 404)
            gone = true;
        else
            refused(error, fmt::format("ticket {}", context.ticket_id));
    }
    if (gone) {
        auto tx = replica_.begin();
        if (replica_.tombstone(tickets.table, std::span(&key, 1), run_))
            ++progress_.records[std::string(tickets.name)].deleted;
        tx.commit();
    }
}

// Children of a tombstoned parent are gone too; the source will not list them. Which
// resource is whose child is what the resource table declares in its references.
void Crawler::cascade_tombstones() {
    for (const auto& [name, n] : store::cascade_tombstones(replica_, table_specs(), run_))
        progress_.records[name].deleted += n;
}

}  // namespace smartq::sync
