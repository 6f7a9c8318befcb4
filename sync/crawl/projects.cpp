// A project's own resources: its roles (with the default one), steps, custom fields and the
// values of its choice fields, then its tickets, which need the fields to read their values.
#include <spdlog/spdlog.h>

#include "sync/crawl/rows.hpp"
#include "sync/crawl/walk_state.hpp"
#include "sync/crawler.hpp"

namespace smartq::sync {
namespace asio = boost::asio;
namespace dom = simdjson::dom;

asio::awaitable<void> Crawler::crawl_project(std::int64_t project_id, Chain& chain) {
    auto scan = std::make_shared<ProjectScan>();
    scan->context.project_id = project_id;
    auto& context = scan->context;
    auto base = list_path(resource(Kind::Roles), context);
    std::optional<std::int64_t> default_role;
    try {
        ++chain.requests;
        auto answer = co_await client_.get(base + "/default");
        default_role = object_id(answer.data());
    } catch (const http::HttpError& error) {
        if (!crawl::is_permanent(error))
            throw;
    }
    // The project's own resources, as the table lists them; its tickets are the incremental
    // unit and are listed last, by crawl_tickets.
    for (const auto* own : children(Kind::Projects)) {
        if (own->kind == Kind::Tickets)
            continue;
        check_stop();
        const auto& r = *own;
        auto kind = r.kind;
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
                                            list_path(r, context), crawl::describe(r, item),
                                            *foreign));
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
                    if (kind == Kind::CustomFields) {
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
    context.choice_fields = &scan->choice_fields;
    const auto& values = resource(Kind::CustomFieldValues);
    auto value_sweep = replica_.begin_sweep(values.table, "project_id", project_id);
    bool values_whole = true;
    // Values are listed under the fields that hold them (RestoreFacts::only_under): the
    // choice fields.
    for (const auto& [name, holds_values] : scan->choice_fields) {
        if (!holds_values)
            continue;
        Context field_context = context;
        field_context.field_name = name;
        auto request = list_request(values, list_path(values, field_context), chain);
        auto outcome = co_await list_pages(
            client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
                values_whole =
                    store_page(values, items, field_context, &value_sweep) && values_whole;
                co_return true;
            });
        values_whole = accept(outcome) && values_whole;
    }
    co_await settle_sweep(values, value_sweep, context, values_whole, chain);
    co_await crawl_tickets(scan, chain);
}

}  // namespace smartq::sync
