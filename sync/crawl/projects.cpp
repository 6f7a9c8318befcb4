// A project's own resources: its roles (with the default one), steps and custom fields, each a
// job of the queue, so that a project's setup costs the round trips of its longest listing,
// not of all of them; then, once its fields are known, the values of each choice field (a job
// each) and its tickets, which need the fields to read their values.
#include <spdlog/spdlog.h>

#include "sync/crawl/rows.hpp"
#include "sync/crawl/walk_state.hpp"
#include "sync/crawler.hpp"

namespace smartq::sync {
namespace asio = boost::asio;
namespace dom = simdjson::dom;

// The values of one project's choice fields, listed field by field in separate jobs: the last
// listing to end settles their one sweep.
struct Crawler::ValueListing {
    store::Sweep sweep;
    std::size_t pending = 0;
    bool whole = true;
};

asio::awaitable<void> Crawler::crawl_project(std::int64_t project_id, Chain& chain) {
    auto scan = std::make_shared<ProjectScan>();
    scan->context.project_id = project_id;
    // The project's own resources, as the table lists them; its tickets are the incremental
    // unit and are listed last, by crawl_tickets.
    const Resource* fields = nullptr;
    for (const auto* own : children(Kind::Projects)) {
        if (own->kind == Kind::Tickets)
            continue;
        if (own->kind == Kind::CustomFields) {
            fields = own;
            continue;
        }
        queue_->push_begun(chain,
                           [this, scan, own](Chain& at) { return list_own(scan, *own, at); });
    }
    if (fields) {
        co_await list_own(scan, *fields, chain);
        scan->context.choice_fields = &scan->choice_fields;
        queue_values(scan, chain);
    }
    co_await crawl_tickets(scan, chain);
}

asio::awaitable<void> Crawler::list_own(ScanPtr scan, const Resource& r, Chain& chain) {
    check_stop();
    auto& context = scan->context;
    auto project_id = context.project_id;
    std::optional<std::int64_t> default_role;
    if (r.restore.hook == RestoreHook::DefaultRole) {
        try {
            ++chain.requests;
            auto answer = co_await client_.get(list_path(r, context) + "/default");
            default_role = object_id(answer.data());
        } catch (const http::HttpError& error) {
            if (!crawl::is_permanent(error))
                throw;
        }
    }
    auto sweep = replica_.begin_sweep(r.table, "project_id", project_id);
    bool whole = true;
    auto request = list_request(r, list_path(r, context), chain);
    request.params = r.list_params;
    auto outcome = co_await list_pages(
        client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
            Items mine;
            for (auto item : items) {
                if (auto foreign = crawl::foreign_parent(r, item, context)) {
                    problem(fmt::format("{} answered {} with {}; it was not stored",
                                        list_path(r, context), crawl::describe(r, item), *foreign));
                    whole = false;
                } else {
                    mine.push_back(item);
                }
            }
            auto tx = replica_.begin();
            for (auto item : mine) {
                auto record = make_record(r, item, context);
                if (r.restore.hook == RestoreHook::DefaultRole) {
                    record.columns[crawl::column_index(r, "is_default")] =
                        std::int64_t{object_id(item) == default_role};
                }
                if (r.kind == Kind::CustomFields) {
                    scan->choice_fields[std::get<std::string>(record.key[1])] =
                        listed_under(resource(Kind::CustomFieldValues), item);
                }
                count(r, replica_.upsert(r.table, record, run_));
                sweep.saw(record.key);
            }
            tx.commit();
            co_return true;
        });
    whole = accept(outcome) && whole;
    co_await settle_sweep(r, sweep, context, whole, chain);
}

// Values are listed under the fields that hold them (RestoreFacts::only_under): the choice
// fields. A project without any still settles the sweep, which finds the values of fields
// that are gone.
void Crawler::queue_values(const ScanPtr& scan, const Chain& after) {
    auto listing = std::make_shared<ValueListing>(ValueListing{replica_.begin_sweep(
        resource(Kind::CustomFieldValues).table, "project_id", scan->context.project_id)});
    for (const auto& [name, holds_values] : scan->choice_fields)
        listing->pending += holds_values ? 1 : 0;
    if (listing->pending == 0) {
        queue_->push_begun(
            after, [this, scan, listing](Chain& at) { return settle_values(scan, listing, at); });
        return;
    }
    for (const auto& [name, holds_values] : scan->choice_fields) {
        if (!holds_values)
            continue;
        queue_->push_begun(after, [this, scan, listing, name](Chain& at) {
            return list_values(scan, listing, name, at);
        });
    }
}

asio::awaitable<void> Crawler::list_values(ScanPtr scan, std::shared_ptr<ValueListing> listing,
                                           std::string field, Chain& chain) {
    check_stop();
    const auto& values = resource(Kind::CustomFieldValues);
    Context field_context = scan->context;
    field_context.field_name = field;
    auto request = list_request(values, list_path(values, field_context), chain);
    auto outcome = co_await list_pages(
        client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
            listing->whole =
                store_page(values, items, field_context, &listing->sweep) && listing->whole;
            co_return true;
        });
    listing->whole = accept(outcome) && listing->whole;
    if (--listing->pending == 0)
        co_await settle_values(std::move(scan), std::move(listing), chain);
}

asio::awaitable<void> Crawler::settle_values(ScanPtr scan, std::shared_ptr<ValueListing> listing,
                                             Chain& chain) {
    co_await settle_sweep(resource(Kind::CustomFieldValues), listing->sweep, scan->context,
                          listing->whole, chain);
}

}  // namespace smartq::sync
