#include "sync/crawler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_set>

#include "sync/wire/normalise.hpp"
#include "sync/wire/time.hpp"

namespace smartq::sync {
namespace asio = boost::asio;
namespace dom = simdjson::dom;
using store::ChangeKind;
using store::Value;

namespace {

constexpr std::string_view kFullDone = "full_sync_complete";
constexpr std::size_t kIdPage = 1000;
// The deletion guard refuses a sweep that would tombstone more than half of
// the live rows of a scope, from this many live rows on. Users always: a
// changed key or an empty answer loses them first. Projects and a project's
// tickets from ten, below which deleting most of them is an ordinary day.
constexpr std::int64_t kGuardUsers = 2;
constexpr std::int64_t kGuardMany = 10;
constexpr std::int64_t kUnguarded = 0;
// Appended to the mark of a ticket read with --no-files that has attachments: a run with
// files reads it again for the bodies, another run without files does not.
constexpr std::string_view kWithoutBodies = " without bodies";
// Pages are committed together this often: a commit per page costs more than reading the page,
// and a killed run loses at most this much work, which the next run reads again.
constexpr std::chrono::milliseconds kCommitWindow{250};

std::string text_field(dom::element object, std::string_view name) {
    auto member = wire::field(object, name);
    if (!member)
        return {};
    return wire::as_text(*member).value_or("");
}

std::string watermark_key(std::int64_t project_id) {
    return "tickets_watermark/" + std::to_string(project_id);
}

std::string minus(const std::string& time, std::chrono::seconds delta) {
    auto parsed = wire::parse_time(time);
    return parsed ? wire::format_time(*parsed - delta) : std::string{};
}

const Column* find_column(const Resource& resource, std::string_view name) {
    for (const auto& column : resource.columns)
        if (column.spec.name == name)
            return &column;
    return nullptr;
}

std::size_t column_index(const Resource& resource, std::string_view name) {
    for (std::size_t i = resource.key_columns; i < resource.columns.size(); ++i)
        if (resource.columns[i].spec.name == name)
            return i - resource.key_columns;
    throw std::logic_error("resource table has no such column");
}

bool is_permanent(const http::HttpError& error) {
    return error.cls() == http::ErrorClass::Permanent;
}

}  // namespace

std::uint64_t SyncProgress::total_records() const {
    std::uint64_t total = 0;
    for (const auto& [name, counts] : records)
        total += counts.inserted + counts.updated + counts.unchanged;
    return total;
}

// What one project's crawl knows: its context and the watermark it saw.
struct Crawler::ProjectScan {
    Context context;
    std::map<std::string, bool, std::less<>> choice_fields;
    std::string latest;                        // newest ticket update_time at the start
    std::unordered_set<std::int64_t> started;  // tickets already handled this run
};

Crawler::Crawler(http::ApiClient& client, store::Replica& replica, store::BlobStore& blobs,
                 std::string account, SyncOptions options)
    : client_(client),
      replica_(replica),
      blobs_(blobs),
      account_(std::move(account)),
      options_(options) {}

Crawler::~Crawler() = default;

void Crawler::request_stop() {
    stop_requested_ = true;
    if (tasks_)
        tasks_->fail(std::make_exception_ptr(SyncError(
            SyncError::Reason::Interrupted, "the sync of " + account_ + " was interrupted")));
}

void Crawler::check_stop() const {
    if (stop_requested_ || (tasks_ && tasks_->failed())) {
        throw SyncError(SyncError::Reason::Interrupted,
                        "the sync of " + account_ + " was interrupted");
    }
}

// Whether a ticket's children were all stored at this update time, as this run stores them.
bool Crawler::settled(const std::string& mark, const std::string& update_time) const {
    return mark == update_time ||
           (!options_.files && mark == update_time + std::string(kWithoutBodies));
}

store::RunKind Crawler::decide_kind() {
    if (!replica_.get_state(kFullDone))
        return store::RunKind::Full;
    return options_.deep ? store::RunKind::Deep : store::RunKind::Incremental;
}

asio::awaitable<store::RunKind> Crawler::run() {
    kind_ = decide_kind();
    run_ = replica_.start_run(account_, kind_);
    blobs_.remove_stale_temps();
    marks_ = replica_.marks("tickets");
    auto executor = co_await asio::this_coro::executor;
    tasks_ = std::make_unique<TaskGroup>(executor);
    ticket_slots_ = http::AsyncSemaphore::create(executor, options_.tickets_in_flight);
    store::RunSummary summary;
    std::exception_ptr failure;
    std::optional<store::WriteBatch> batch(replica_.batch(kCommitWindow));
    try {
        co_await crawl();
        batch->commit();
    } catch (...) {
        failure = std::current_exception();
    }
    batch.reset();  // a failed run keeps what it stored
    if (!failure && !problems_.empty()) {
        failure = std::make_exception_ptr(
            SyncError(SyncError::Reason::Incomplete,
                      fmt::format("{} object(s) of {} could not be stored; the first: {}",
                                  problems_.size(), account_, problems_.front())));
    }
    auto stats = client_.stats();
    for (const auto& [method, n] : stats.requests_by_method)
        summary.requests += n;
    summary.bytes = static_cast<std::int64_t>(stats.bytes_received);
    summary.records = progress_.records;
    if (failure) {
        summary.status = store::RunStatus::Failed;
        try {
            std::rethrow_exception(failure);
        } catch (const SyncError& error) {
            summary.status =
                error.reason() == SyncError::Reason::Interrupted  ? store::RunStatus::Interrupted
                : error.reason() == SyncError::Reason::Incomplete ? store::RunStatus::Partial
                                                                  : store::RunStatus::Failed;
            summary.error = error.what();
        } catch (const http::HttpError& error) {
            if (error.cls() == http::ErrorClass::Retryable ||
                error.cls() == http::ErrorClass::RateLimited)
                summary.status = store::RunStatus::Partial;
            summary.error = error.what();
        } catch (const std::exception& error) {
            summary.error = error.what();
        }
        replica_.finish_run(run_, summary);
        std::rethrow_exception(failure);
    }
    {
        auto tx = replica_.begin();
        for (const auto& [key, value] : watermarks_)
            replica_.set_state(key, value);
        if (kind_ != store::RunKind::Incremental)
            replica_.set_state(kFullDone, store::utc_now());
        tx.commit();
    }
    replica_.finish_run(run_, summary);
    co_return kind_;
}

asio::awaitable<void> Crawler::crawl() {
    {
        auto me = co_await client_.get("/users/me");
        replica_.set_state("me", wire::to_json(me.data()));
    }
    std::vector<std::int64_t> projects;
    for (auto kind : {Kind::Users, Kind::Projects}) {
        const auto& r = resource(kind);
        auto sweep = replica_.begin_sweep(r.table);
        co_await list_pages(
            client_, page_sizes_, kind, std::string(r.path), std::string(r.list_params),
            r.page_size, [&](const Items& items) -> asio::awaitable<bool> {
                store_page(r, items, {}, &sweep,
                           [&](const store::Record& record, dom::element, ChangeKind) {
                               if (kind == Kind::Projects)
                                   projects.push_back(std::get<std::int64_t>(record.key[0]));
                           });
                co_return true;
            });
        finish_sweep(r, sweep, "account " + account_,
                     kind == Kind::Users ? kGuardUsers : kGuardMany);
    }
    for (auto id : projects)
        tasks_->spawn(crawl_project(id));
    co_await tasks_->wait();
    cascade_tombstones();
}

void Crawler::count(const Resource& resource, ChangeKind kind) {
    auto& counts = progress_.records[std::string(resource.name)];
    switch (kind) {
        case ChangeKind::Inserted:
            ++counts.inserted;
            break;
        case ChangeKind::Updated:
        case ChangeKind::Undeleted:
            ++counts.updated;
            break;
        case ChangeKind::Unchanged:
            ++counts.unchanged;
            break;
    }
}

void Crawler::store_page(const Resource& resource, const Items& items, const Context& context,
                         store::Sweep* sweep, const Each& each) {
    progress_.current = resource.name;
    auto tx = replica_.begin();
    for (auto item : items) {
        auto record = make_record(resource, item, context);
        auto kind = replica_.upsert(resource.table, record, run_);
        count(resource, kind);
        if (sweep)
            sweep->saw(record.key);
        if (each)
            each(record, item, kind);
    }
    tx.commit();
}

void Crawler::finish_sweep(const Resource& resource, store::Sweep& sweep, std::string_view scope,
                           std::int64_t guard_from) {
    auto unseen = sweep.unseen_count();
    if (unseen == 0)
        return;
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
    auto tx = replica_.begin();
    auto marked = sweep.tombstone(run_);
    tx.commit();
    progress_.records[std::string(resource.name)].deleted += marked;
    spdlog::debug("{}: {} {} of {} marked deleted", account_, marked, resource.name, scope);
}

// Children of a tombstoned parent are gone too; the source will not list them.
void Crawler::cascade_tombstones() {
    static const std::vector<std::pair<std::string_view, std::string_view>> parents = {
        {"project_id", "projects"}, {"ticket_id", "tickets"}, {"note_id", "notes"}};
    auto tx = replica_.begin();
    for (const auto& r : resources()) {
        for (const auto& [column, table] : parents) {
            const Column* c = find_column(r, column);
            if (!c || c->convert != Convert::Context || r.name == table)
                continue;
            auto orphans = replica_.query(
                fmt::format("SELECT DISTINCT c.{0} FROM {1} c JOIN {2} p ON p.id = c.{0} "
                            "WHERE c.deleted_at IS NULL AND p.deleted_at IS NOT NULL",
                            column, r.name, table));
            for (const auto& row : orphans.rows) {
                auto n = replica_.tombstone_children(r.table, column, row[0], run_);
                progress_.records[std::string(r.name)].deleted += n;
            }
        }
    }
    tx.commit();
}

asio::awaitable<void> Crawler::crawl_project(std::int64_t project_id) {
    ProjectScan scan;
    scan.context.project_id = project_id;
    auto& context = scan.context;
    auto base = list_path(resource(Kind::Roles), context);
    std::optional<std::int64_t> default_role;
    try {
        auto answer = co_await client_.get(base + "/default");
        default_role = object_id(answer.data());
    } catch (const http::HttpError& error) {
        if (!is_permanent(error))
            throw;
    }
    for (auto kind : {Kind::Roles, Kind::Steps, Kind::CustomFields}) {
        check_stop();
        const auto& r = resource(kind);
        auto sweep = replica_.begin_sweep(r.table, "project_id", project_id);
        co_await list_pages(client_, page_sizes_, kind, list_path(r, context),
                            std::string(r.list_params), r.page_size,
                            [&](const Items& items) -> asio::awaitable<bool> {
                                auto tx = replica_.begin();
                                for (auto item : items) {
                                    auto record = make_record(r, item, context);
                                    if (kind == Kind::Roles) {
                                        record.columns[column_index(r, "is_default")] =
                                            std::int64_t{object_id(item) == default_role};
                                    }
                                    if (kind == Kind::CustomFields) {
                                        scan.choice_fields[std::get<std::string>(record.key[1])] =
                                            text_field(item, "type") == "choice";
                                    }
                                    count(r, replica_.upsert(r.table, record, run_));
                                    sweep.saw(record.key);
                                }
                                tx.commit();
                                co_return true;
                            });
        finish_sweep(r, sweep, "project " + std::to_string(project_id), kUnguarded);
    }
    context.choice_fields = &scan.choice_fields;
    const auto& values = resource(Kind::CustomFieldValues);
    auto value_sweep = replica_.begin_sweep(values.table, "project_id", project_id);
    for (const auto& [name, choice] : scan.choice_fields) {
        if (!choice)
            continue;
        Context field_context = context;
        field_context.field_name = name;
        co_await list_pages(client_, page_sizes_, Kind::CustomFieldValues,
                            list_path(values, field_context), {}, values.page_size,
                            [&](const Items& items) -> asio::awaitable<bool> {
                                store_page(values, items, field_context, &value_sweep);
                                co_return true;
                            });
    }
    finish_sweep(values, value_sweep, "project " + std::to_string(project_id), kUnguarded);
    co_await crawl_tickets(scan);
}

asio::awaitable<void> Crawler::crawl_tickets(ProjectScan& scan) {
    const auto& tickets = resource(Kind::Tickets);
    auto path = list_path(tickets, scan.context);
    auto key = watermark_key(scan.context.project_id);
    auto watermark = replica_.get_state(key);
    if (kind_ == store::RunKind::Incremental && watermark) {
        co_await crawl_recent_tickets(scan, *watermark);
        co_await sweep_ticket_ids(scan);
    } else {
        // The newest change first, so that the watermark is what the server had at the start.
        auto top = co_await client_.get(
            path + "?" + std::string(tickets.list_params) +
            "&orderCol=update_time&reverse=1&fields=id,update_time&count=1&offset=0");
        auto items = wire::list_items(top.data());
        if (!items.empty())
            scan.latest = text_field(items.front(), "update_time");
        auto sweep = replica_.begin_sweep(tickets.table, "project_id", scan.context.project_id);
        co_await list_pages(
            client_, page_sizes_, Kind::Tickets, path,
            std::string(tickets.list_params) + "&orderCol=insert_time&reverse=0", tickets.page_size,
            [&](const Items& items) -> asio::awaitable<bool> {
                check_stop();
                std::vector<std::tuple<std::int64_t, std::string, bool>> todo;
                store_page(tickets, items, scan.context, &sweep,
                           [&](const store::Record& record, dom::element item, ChangeKind kind) {
                               todo.emplace_back(std::get<std::int64_t>(record.key[0]),
                                                 text_field(item, "update_time"),
                                                 kind == ChangeKind::Inserted);
                           });
                for (auto& [id, update_time, fresh] : todo)
                    co_await start_ticket(scan, id, update_time, fresh);
                co_return true;
            });
        finish_sweep(tickets, sweep, "project " + std::to_string(scan.context.project_id),
                     kGuardMany);
    }
    if (!scan.latest.empty() && scan.latest > watermark.value_or(""))
        watermarks_[key] = scan.latest;
}

asio::awaitable<void> Crawler::start_ticket(ProjectScan& scan, std::int64_t id,
                                            const std::string& update_time, bool fresh) {
    if (!scan.started.insert(id).second)
        co_return;
    auto mark = marks_.find(std::to_string(id));
    bool committed = mark != marks_.end() && settled(mark->second, update_time);
    if (committed && kind_ != store::RunKind::Deep)
        co_return;
    auto permit = co_await ticket_slots_->acquire();
    check_stop();
    Context context = scan.context;
    context.ticket_id = id;
    context.choice_fields = nullptr;  // the scan may end before the ticket's task
    tasks_->spawn(
        crawl_ticket(context, update_time, fresh && mark == marks_.end(), std::move(permit)));
}

asio::awaitable<void> Crawler::crawl_recent_tickets(ProjectScan& scan,
                                                    const std::string& watermark) {
    const auto& tickets = resource(Kind::Tickets);
    auto stop_below = minus(watermark, options_.overlap);
    co_await list_pages(
        client_, page_sizes_, Kind::Tickets, list_path(tickets, scan.context),
        std::string(tickets.list_params) + "&orderCol=update_time&reverse=1", tickets.page_size,
        [&](const Items& items) -> asio::awaitable<bool> {
            check_stop();
            bool past = false;
            std::vector<std::pair<std::int64_t, std::string>> todo;
            store_page(tickets, items, scan.context, nullptr,
                       [&](const store::Record& record, dom::element item, ChangeKind) {
                           auto update_time = text_field(item, "update_time");
                           if (scan.latest.empty())
                               scan.latest = update_time;
                           if (update_time < stop_below)
                               past = true;
                           todo.emplace_back(std::get<std::int64_t>(record.key[0]), update_time);
                       });
            for (auto& [id, update_time] : todo)
                co_await start_ticket(scan, id, update_time, false);
            co_return !past;
        });
}

// Every run lists the ids and update times of all tickets (cheap: a thousand
// a page): it finds deleted tickets, and any change the newest-first listing
// skipped because the list moved under it.
asio::awaitable<void> Crawler::sweep_ticket_ids(ProjectScan& scan) {
    const auto& tickets = resource(Kind::Tickets);
    auto path = list_path(tickets, scan.context);
    auto sweep = replica_.begin_sweep(tickets.table, "project_id", scan.context.project_id);
    auto update_column = column_index(tickets, "update_time");
    std::vector<std::int64_t> missed;
    co_await list_pages(client_, page_sizes_, Kind::Tickets, path,
                        "archived=2&fields=id,update_time&orderCol=insert_time&reverse=0", kIdPage,
                        [&](const Items& items) -> asio::awaitable<bool> {
                            check_stop();
                            auto tx = replica_.begin();
                            for (auto item : items) {
                                auto id = object_id(item);
                                if (!id)
                                    throw wire::WireError("tickets: an id listing without ids");
                                Value key{*id};
                                sweep.saw(std::span(&key, 1));
                                if (scan.started.count(*id))
                                    continue;
                                auto stored = replica_.find(tickets.table, std::span(&key, 1));
                                auto update_time = text_field(item, "update_time");
                                // Unmarked: its children were never all stored (a body that
                                // disagreed with its metadata, or bodies skipped by
                                // --no-files); read it again.
                                auto mark = marks_.find(std::to_string(*id));
                                if (!stored || stored->deleted_at ||
                                    stored->columns[update_column] != Value{update_time} ||
                                    mark == marks_.end() || !settled(mark->second, update_time)) {
                                    missed.push_back(*id);
                                }
                            }
                            tx.commit();
                            co_return true;
                        });
    finish_sweep(tickets, sweep, "project " + std::to_string(scan.context.project_id), kGuardMany);
    for (auto id : missed) {
        check_stop();
        auto answer = co_await client_.get(path + "/" + std::to_string(id) + "?" +
                                           std::string(tickets.list_params));
        std::string update_time;
        bool fresh = false;
        store_page(tickets, {answer.data()}, scan.context, nullptr,
                   [&](const store::Record&, dom::element item, ChangeKind kind) {
                       update_time = text_field(item, "update_time");
                       fresh = kind == ChangeKind::Inserted;
                   });
        co_await start_ticket(scan, id, update_time, fresh);
    }
}

asio::awaitable<void> Crawler::crawl_ticket(Context context, std::string update_time, bool fresh,
                                            http::AsyncSemaphore::Permit permit) {
    auto hold = std::move(permit);
    try {
        bool complete = true;
        bool bodies_skipped = false;
        std::vector<std::int64_t> notes;
        for (auto kind : {Kind::Notes, Kind::Tasks}) {
            check_stop();
            const auto& r = resource(kind);
            // A ticket seen for the first time has no stored children to sweep.
            std::optional<store::Sweep> sweep;
            if (!fresh)
                sweep.emplace(replica_.begin_sweep(r.table, "ticket_id", context.ticket_id));
            co_await list_pages(
                client_, page_sizes_, kind, list_path(r, context), {}, r.page_size,
                [&](const Items& items) -> asio::awaitable<bool> {
                    store_page(r, items, context, sweep ? &*sweep : nullptr,
                               [&](const store::Record& record, dom::element, ChangeKind) {
                                   if (kind == Kind::Notes)
                                       notes.push_back(std::get<std::int64_t>(record.key[0]));
                               });
                    co_return true;
                });
            if (sweep)
                finish_sweep(r, *sweep, "ticket " + std::to_string(context.ticket_id), kUnguarded);
        }
        const auto& files = resource(Kind::Files);
        std::optional<store::Sweep> sweep;
        if (!fresh)
            sweep.emplace(replica_.begin_sweep(files.table, "ticket_id", context.ticket_id));
        for (auto note : notes) {
            check_stop();
            Context note_context = context;
            note_context.note_id = note;
            std::vector<std::pair<std::int64_t, std::optional<std::uint64_t>>> bodies;
            co_await list_pages(
                client_, page_sizes_, Kind::Files, list_path(files, note_context), {},
                files.page_size, [&](const Items& items) -> asio::awaitable<bool> {
                    store_page(files, items, note_context, sweep ? &*sweep : nullptr,
                               [&](const store::Record& record, dom::element item, ChangeKind) {
                                   auto size = wire::field(item, "size");
                                   auto n = size ? wire::as_number(*size) : std::nullopt;
                                   bodies.emplace_back(
                                       std::get<std::int64_t>(record.key[0]),
                                       n ? std::optional<std::uint64_t>(*n) : std::nullopt);
                               });
                    co_return true;
                });
            bodies_skipped = bodies_skipped || (!options_.files && !bodies.empty());
            if (options_.files) {
                for (auto& [id, size] : bodies) {
                    auto stored = co_await download(note_context, id, size);
                    complete = complete && stored;
                }
            }
        }
        if (sweep)
            finish_sweep(files, *sweep, "ticket " + std::to_string(context.ticket_id), kUnguarded);
        // A ticket with a body not stored stays unmarked, so that the next run reads it again.
        if (complete) {
            auto id = std::to_string(context.ticket_id);
            auto mark = bodies_skipped ? update_time + std::string(kWithoutBodies) : update_time;
            replica_.set_mark("tickets", id, mark);
            marks_[id] = mark;
        }
    } catch (const http::HttpError& error) {
        if (!is_permanent(error))
            throw;
        refused(error, "ticket " + std::to_string(context.ticket_id));  // left unmarked
    }
}

bool Crawler::refused(const http::HttpError& error, const std::string& what) {
    if (error.status() == 404) {
        // Deleted while we read it: the next listing tombstones it.
        spdlog::debug("{}: {} skipped: {}", account_, what, error.what());
        return false;
    }
    problems_.push_back(fmt::format("{} could not be read: {}", what, error.what()));
    spdlog::error("{}: {}", account_, problems_.back());
    return true;
}

asio::awaitable<bool> Crawler::download(const Context& context, std::int64_t file_id,
                                        std::optional<std::uint64_t> size) {
    const auto& files = resource(Kind::Files);
    Value key{file_id};
    auto stored = replica_.find(files.table, std::span(&key, 1));
    auto sha_column = column_index(files, "sha256");
    if (stored) {
        if (auto sha = std::get_if<std::string>(&stored->columns[sha_column]);
            sha && blobs_.has(*sha))
            co_return true;  // verified once, never fetched again
    }
    check_stop();
    auto target = list_path(files, context) + "/" + std::to_string(file_id) + "/download";
    std::optional<store::BlobWriter> writer(blobs_.begin());
    bool body_stored = true;
    try {
        auto received = co_await client_.download(
            target,
            [&](std::string_view chunk) { writer->write(std::span(chunk.data(), chunk.size())); },
            [&] { writer.emplace(blobs_.begin()); });
        if (size && received != *size) {
            problems_.push_back(fmt::format("file {} has {} bytes where its metadata says {}",
                                            file_id, received, *size));
            spdlog::error("{}: file {} of ticket {}: {}", account_, file_id, context.ticket_id,
                          problems_.back());
            co_return false;
        }
        auto blob = writer->commit();
        auto tx = replica_.begin();
        replica_.set_column(files.table, std::span(&key, 1), "sha256", blob.sha256);
        replica_.set_column(files.table, std::span(&key, 1), "size",
                            static_cast<std::int64_t>(blob.size));
        tx.commit();
        ++progress_.attachments;
        progress_.attachment_bytes += blob.size;
    } catch (const http::HttpError& error) {
        if (!is_permanent(error))
            throw;
        body_stored = !refused(error, fmt::format("file {}", file_id));
    }
    co_return body_stored;
}

}  // namespace smartq::sync
