// Which tickets of a project to read. A full or deep run lists them all in insert order (a
// ticket added during the run goes to the end, and moving one moves nothing in this order); an
// incremental run lists them newest change first down to the watermark, then every id and
// update time to find deletions and what that listing skipped. Each ticket to read becomes a
// job of the queue; a listing waits while many of them are queued.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "store/state_prefix.hpp"
#include "sync/crawl/rows.hpp"
#include "sync/crawl/walk_state.hpp"
#include "sync/crawler.hpp"
#include "sync/wire/normalise.hpp"
#include "sync/wire/time.hpp"

namespace smartq::sync {
namespace asio = boost::asio;
namespace dom = simdjson::dom;
using crawl::text_field;
using store::ChangeKind;
using store::Value;

namespace {

constexpr std::size_t kIdPage = 1000;
constexpr std::string_view kTicketOrder = "insert_time";

constexpr std::string_view kWatermarkPrefix = "tickets_watermark/";

std::string watermark_key(std::int64_t project_id) {
    return std::string(kWatermarkPrefix) + std::to_string(project_id);
}

std::string minus(const std::string& time, std::chrono::seconds delta) {
    auto parsed = wire::parse_time(time);
    return parsed ? wire::format_time(*parsed - delta) : std::string{};
}

}  // namespace

// Every answer that showed an earlier run's watermark came before this run began.
void Crawler::load_newest_seen() {
    for (const auto& [key, time] : store::states_with_prefix(replica_, kWatermarkPrefix))
        saw_update_time(time);
}

void Crawler::saw_update_time(const std::string& update_time) {
    newest_seen_ = std::max(newest_seen_, update_time);
}

asio::awaitable<void> Crawler::crawl_tickets(ScanPtr scan, Chain& chain) {
    auto key = watermark_key(scan->context.project_id);
    auto watermark = replica_.get_state(key);
    if (kind_ == store::RunKind::Incremental && watermark) {
        co_await crawl_recent_tickets(scan, *watermark, chain);
        co_await sweep_ticket_ids(scan, chain);
    } else {
        co_await crawl_all_tickets(scan, chain);
    }
    if (!scan->latest.empty() && scan->latest > watermark.value_or(""))
        watermarks_[key] = scan->latest;
}

asio::awaitable<void> Crawler::crawl_all_tickets(ScanPtr scan, Chain& chain) {
    const auto& tickets = resource(Kind::Tickets);
    auto path = list_path(tickets, scan->context);
    // The newest change first, so that the watermark is what the server had at the start.
    ++chain.requests;
    auto top =
        co_await client_.get(path + "?" + std::string(tickets.list_params) +
                             "&orderCol=update_time&reverse=1&fields=id,update_time&count=1&offset=0");
    auto items = wire::list_items(top.data());
    if (!items.empty()) {
        scan->latest = text_field(items.front(), "update_time");
        saw_update_time(scan->latest);
    }
    auto sweep = replica_.begin_sweep(tickets.table, "project_id", scan->context.project_id);
    bool whole = true;
    auto request = list_request(tickets, path, chain);
    request.params = std::string(tickets.list_params) + "&orderCol=insert_time&reverse=0";
    request.order = kTicketOrder;
    request.paged_by_guide = true;
    request.between_pages = [this] { return queue_->room(); };
    auto outcome = co_await list_pages(
        client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
            check_stop();
            whole = store_page(tickets, items, scan->context, &sweep,
                               [&](const store::Record& record, dom::element item, ChangeKind kind) {
                                   start_ticket(scan, std::get<std::int64_t>(record.key[0]),
                                                text_field(item, "update_time"),
                                                kind == ChangeKind::Inserted, chain);
                               }) &&
                    whole;
            co_return true;
        });
    whole = accept(outcome) && whole;
    auto alive =
        co_await settle_sweep(tickets, sweep, scan->context, whole, chain);
    for (const auto& id : alive)
        queue_read_ticket(scan, std::get<std::int64_t>(id), chain);
}

void Crawler::start_ticket(const ScanPtr& scan, std::int64_t id, const std::string& update_time,
                           bool fresh, const Chain& after) {
    saw_update_time(update_time);
    if (!scan->started.insert(id).second)
        return;
    refresh_marks();
    auto mark = marks_.find(std::to_string(id));
    bool committed = mark != marks_.end() && settled(mark->second, update_time);
    if (committed && kind_ != store::RunKind::Deep)
        return;
    auto walk = std::make_shared<TicketWalk>();
    walk->context = scan->context;
    walk->context.ticket_id = id;
    walk->context.choice_fields = nullptr;  // the scan may end before the ticket's jobs
    walk->update_time = update_time;
    walk->seen_before = newest_seen_;
    // An open mark of the same update time says when an earlier run first saw it.
    auto earlier =
        mark != marks_.end() ? crawl::open_since(mark->second, update_time) : std::nullopt;
    walk->first_seen = earlier.value_or(wire::now_seconds());
    // A ticket seen for the first time has no stored children to sweep.
    walk->has_children = !fresh || mark != marks_.end();
    queue_->push_new(after, [this, walk](Chain& chain) { return walk_ticket(walk, chain); });
}

void Crawler::queue_read_ticket(const ScanPtr& scan, std::int64_t id, const Chain& after) {
    queue_->push_new(after, [this, scan, id](Chain& chain) { return read_ticket(scan, id, chain); });
}

asio::awaitable<void> Crawler::read_ticket(ScanPtr scan, std::int64_t id, Chain& chain) {
    check_stop();
    const auto& tickets = resource(Kind::Tickets);
    std::string update_time;
    bool fresh = false;
    bool stored = false;
    try {
        ++chain.requests;
        auto answer =
            co_await client_.get(list_path(tickets, scan->context) + "/" + std::to_string(id) +
                                 "?" + std::string(tickets.list_params));
        stored = store_page(tickets, {answer.data()}, scan->context, nullptr,
                            [&](const store::Record&, dom::element item, ChangeKind kind) {
                                update_time = text_field(item, "update_time");
                                fresh = kind == ChangeKind::Inserted;
                            });
    } catch (const http::HttpError& error) {
        if (!crawl::is_permanent(error))
            throw;
        refused(error, fmt::format("ticket {}", id));
    }
    if (stored)
        start_ticket(scan, id, update_time, fresh, chain);
}

asio::awaitable<void> Crawler::crawl_recent_tickets(ScanPtr scan, const std::string& watermark,
                                                    Chain& chain) {
    const auto& tickets = resource(Kind::Tickets);
    auto stop_below = minus(watermark, options_.overlap);
    // Not for completeness (the id listing below is): a shortcut to what changed.
    auto request = list_request(tickets, list_path(tickets, scan->context), chain);
    request.params = std::string(tickets.list_params) + "&orderCol=update_time&reverse=1";
    request.order = "update_time";
    request.paged_by_guide = true;
    request.between_pages = [this] { return queue_->room(); };
    auto outcome = co_await list_pages(
        client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
            check_stop();
            bool past = false;
            store_page(tickets, items, scan->context, nullptr,
                       [&](const store::Record& record, dom::element item, ChangeKind) {
                           auto update_time = text_field(item, "update_time");
                           if (scan->latest.empty()) {
                               scan->latest = update_time;
                               saw_update_time(update_time);
                           }
                           if (update_time < stop_below)
                               past = true;
                           start_ticket(scan, std::get<std::int64_t>(record.key[0]), update_time,
                                        false, chain);
                       });
            co_return !past;
        });
    accept(outcome);
}

// Every run lists the ids and update times of all tickets (cheap: a thousand
// a page): it finds deleted tickets, and any change the newest-first listing
// skipped because the list moved under it.
asio::awaitable<void> Crawler::sweep_ticket_ids(ScanPtr scan, Chain& chain) {
    const auto& tickets = resource(Kind::Tickets);
    auto path = list_path(tickets, scan->context);
    auto sweep = replica_.begin_sweep(tickets.table, "project_id", scan->context.project_id);
    auto update_column = crawl::column_index(tickets, "update_time");
    std::vector<std::int64_t> missed;
    bool whole = true;
    auto request = list_request(tickets, path, chain);
    request.params =
        "archived=2&fields=id,project_id,insert_time,update_time&orderCol=insert_time&reverse=0";
    request.page_size = kIdPage;
    request.order = kTicketOrder;
    request.paged_by_guide = true;
    auto outcome = co_await list_pages(
        client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
            check_stop();
            auto tx = replica_.begin();
            for (auto item : items) {
                auto id = object_id(item);
                if (!id) {
                    problem(fmt::format("{} answered a ticket without an id", path));
                    whole = false;
                    continue;
                }
                if (auto foreign = crawl::foreign_parent(tickets, item, scan->context)) {
                    problem(fmt::format("{} answered ticket {} with {}; it was not stored", path,
                                        *id, *foreign));
                    whole = false;
                    continue;
                }
                Value key{*id};
                sweep.saw(std::span(&key, 1));
                if (scan->started.count(*id))
                    continue;
                auto stored = replica_.find(tickets.table, std::span(&key, 1));
                auto update_time = text_field(item, "update_time");
                // Unmarked: its children were never all stored (a body that
                // disagreed with its metadata, or bodies skipped by
                // --no-files); read it again.
                auto mark = marks_.find(std::to_string(*id));
                if (!stored || stored->deleted_at ||
                    stored->columns[update_column] != Value{update_time} || mark == marks_.end() ||
                    !settled(mark->second, update_time)) {
                    missed.push_back(*id);
                }
            }
            tx.commit();
            co_return true;
        });
    whole = accept(outcome) && whole;
    auto alive =
        co_await settle_sweep(tickets, sweep, scan->context, whole, chain);
    for (const auto& id : alive)
        missed.push_back(std::get<std::int64_t>(id));
    for (auto id : missed)
        queue_read_ticket(scan, id, chain);
}

}  // namespace smartq::sync
