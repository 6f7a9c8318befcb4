#include "sync/crawler.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <unordered_set>

#include "store/child_marks.hpp"
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
// It is the second line: every tombstone is also confirmed by the server.
constexpr std::int64_t kGuardUsers = 2;
constexpr std::int64_t kGuardMany = 10;
constexpr std::int64_t kUnguarded = 0;
// Appended to the mark of a ticket read with --no-files that has attachments: a run with
// files reads it again for the bodies, another run without files does not.
constexpr std::string_view kWithoutBodies = " without bodies";
// Pages are committed together this often: a commit per page costs more than reading the page,
// and a killed run loses at most this much work, which the next run reads again.
constexpr std::chrono::milliseconds kCommitWindow{250};
// The ticket lists are sorted by insert_time, which never changes: a ticket added during the
// run goes to the end, and moving or archiving one moves nothing in this order.
constexpr std::string_view kTicketOrder = "insert_time";

std::string text_field(dom::element object, std::string_view name) {
    auto member = wire::field(object, name);
    if (!member)
        return {};
    return wire::as_text(*member).value_or("");
}

constexpr std::string_view kPageCapPrefix = "page_cap/";

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

std::string value_text(const Value& value) {
    if (const auto* n = std::get_if<std::int64_t>(&value))
        return std::to_string(*n);
    if (const auto* s = std::get_if<std::string>(&value))
        return *s;
    return {};
}

// The parent a row says it has, where it says one, against the one its list was asked for:
// a list answering another project's tickets must not file them under this one.
std::optional<std::string> foreign_parent(const Resource& resource, dom::element item,
                                          const Context& context) {
    const std::pair<std::string_view, std::int64_t> parents[] = {{"project_id", context.project_id},
                                                                 {"ticket_id", context.ticket_id},
                                                                 {"note_id", context.note_id}};
    for (const auto& column : resource.columns) {
        if (column.convert != Convert::Context)
            continue;
        for (auto [name, asked] : parents) {
            if (column.source != name || asked == 0)
                continue;
            auto member = wire::field(item, name);
            auto said = member ? wire::as_id(*member) : std::nullopt;
            if (said && *said != asked)
                return fmt::format("{} {} instead of {}", name, *said, asked);
        }
    }
    return std::nullopt;
}

std::string describe(const Resource& resource, dom::element item) {
    auto id = object_id(item);
    return fmt::format("{} {}", resource.name, id ? std::to_string(*id) : text_field(item, "name"));
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

void Crawler::problem(std::string sentence) {
    spdlog::error("{}: {}", account_, sentence);
    problems_.push_back(std::move(sentence));
}

void Crawler::notice(std::string sentence) {
    spdlog::warn("{}: {}", account_, sentence);
    notices_.push_back(std::move(sentence));
}

// Whether a ticket's children were all stored at this update time, as this run stores them.
bool Crawler::settled(const std::string& mark, const std::string& update_time) const {
    return mark == update_time ||
           (!options_.files && mark == update_time + std::string(kWithoutBodies));
}

void Crawler::refresh_marks() {
    if (replica_.lost_windows() == marks_epoch_)
        return;
    marks_epoch_ = replica_.lost_windows();
    marks_ = replica_.marks(store::kTicketMarks);
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
    // A mark whose children are not all there (a commit lost after the mark landed, by an
    // older version) would keep the ticket from being read again: drop it.
    if (auto gaps = store::marks_without_children(replica_); !gaps.empty()) {
        for (const auto& gap : gaps)
            spdlog::warn("{}: {}; reading it again", account_, gap.sentence());
        store::drop_marks(replica_, gaps);
    }
    marks_ = replica_.marks(store::kTicketMarks);
    marks_epoch_ = replica_.lost_windows();
    for (const auto& row : replica_
                               .query(fmt::format("SELECT substr(key, {}), CAST(value AS INTEGER) "
                                                  "FROM sync_state WHERE key LIKE '{}%'",
                                                  kPageCapPrefix.size() + 1, kPageCapPrefix))
                               .rows)
        page_caps_.of(std::get<std::string>(row[0])) =
            static_cast<std::size_t>(std::get<std::int64_t>(row[1]));
    auto executor = co_await asio::this_coro::executor;
    tasks_ = std::make_unique<TaskGroup>(executor);
    ticket_slots_ = http::AsyncSemaphore::create(executor, options_.tickets_in_flight);
    store::RunSummary summary;
    std::exception_ptr failure;
    std::optional<store::WriteBatch> batch(replica_.batch(kCommitWindow));
    try {
        co_await crawl();
    } catch (...) {
        failure = std::current_exception();
    }
    // A failed run keeps what it stored; a commit that fails here fails the run, whatever
    // else happened.
    try {
        std::exchange(batch, std::nullopt)->commit();
    } catch (...) {
        failure = std::current_exception();
    }
    if (!failure && !problems_.empty()) {
        failure = std::make_exception_ptr(
            SyncError(SyncError::Reason::Incomplete,
                      fmt::format("{} problem(s) left the backup of {} incomplete; the first: {}",
                                  problems_.size(), account_, problems_.front())));
    }
    if (hidden_parents_ > 0) {
        notice(fmt::format(
            "{} repl(y/ies) answer notes the login of {} cannot see (private notes of other "
            "users?); back up with a login that can see private notes",
            hidden_parents_, account_));
    }
    auto stats = client_.stats();
    for (const auto& [method, n] : stats.requests_by_method)
        summary.requests += n;
    summary.bytes = static_cast<std::int64_t>(stats.bytes_received);
    summary.records = progress_.records;
    summary.problems = problems_;
    summary.notices = notices_;
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
        if (summary.problems.empty() || summary.problems.front() != summary.error)
            summary.problems.insert(summary.problems.begin(), summary.error);
        replica_.finish_run(run_, summary);
        std::rethrow_exception(failure);
    }
    {
        auto tx = replica_.begin();
        for (const auto& [key, value] : watermarks_)
            replica_.set_state(key, value);
        for (const auto& [list, cap] : page_caps_.all())
            if (cap > 0)
                replica_.set_state(std::string(kPageCapPrefix) + list, std::to_string(cap));
        if (kind_ != store::RunKind::Incremental)
            replica_.set_state(kFullDone, store::utc_now());
        tx.commit();
    }
    replica_.finish_run(run_, summary);
    co_return kind_;
}

bool Crawler::accept(const ListOutcome& outcome) {
    for (const auto& id : outcome.repaired)
        notice(
            fmt::format("an object with id {} of {} held invalid UTF-8; it is stored with "
                        "U+FFFD in place of the bad bytes",
                        id, outcome.list));
    if (!outcome.doubt.empty())
        problem(outcome.doubt);
    return outcome.whole();
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
        bool whole = true;
        ListRequest request{kind,
                            std::string(r.path),
                            std::string(r.list_params),
                            static_cast<std::size_t>(r.page_size),
                            {},
                            kind == Kind::Projects};
        auto outcome = co_await list_pages(
            client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
                whole =
                    store_page(r, items, {}, &sweep,
                               [&](const store::Record& record, dom::element, ChangeKind) {
                                   if (kind == Kind::Projects)
                                       projects.push_back(std::get<std::int64_t>(record.key[0]));
                               }) &&
                    whole;
                co_return true;
            });
        whole = accept(outcome) && whole;
        Context account;
        auto alive = co_await settle_sweep(r, sweep, account,
                                           kind == Kind::Users ? kGuardUsers : kGuardMany, whole);
        for (const auto& key : alive) {
            if (kind == Kind::Projects)
                projects.push_back(std::get<std::int64_t>(key));
        }
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

bool Crawler::store_page(const Resource& resource, const Items& items, const Context& context,
                         store::Sweep* sweep, const Each& each) {
    progress_.current = resource.name;
    bool whole = true;
    auto tx = replica_.begin();
    for (auto item : items) {
        auto where = list_path(resource, context);
        if (auto foreign = foreign_parent(resource, item, context)) {
            problem(fmt::format("{} answered {} with {}; it was not stored", where,
                                describe(resource, item), *foreign));
            whole = false;
            continue;
        }
        std::optional<store::Record> record;
        try {
            record = make_record(resource, item, context);
        } catch (const wire::WireError& error) {
            problem(fmt::format("{} in {} could not be read: {}", describe(resource, item), where,
                                error.what()));
            whole = false;
            continue;
        }
        auto kind = replica_.upsert(resource.table, *record, run_);
        count(resource, kind);
        if (sweep)
            sweep->saw(record->key);
        if (each)
            each(*record, item, kind);
    }
    tx.commit();
    return whole;
}

void Crawler::guard_deletions(const Resource& resource, store::Sweep& sweep, std::string_view scope,
                              std::int64_t guard_from) {
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
                                                          const Context& context,
                                                          std::int64_t guard_from, bool whole) {
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
    guard_deletions(resource, sweep, scope, guard_from);
    std::int64_t marked = 0;
    for (const auto& key : sweep.unseen_keys()) {
        check_stop();
        // The row's own URL: its parents from the stored row where the scope does not say.
        Context at = context;
        auto stored = replica_.find(resource.table, key);
        if (stored) {
            if (find_column(resource, "note_id"))
                at.note_id =
                    std::get<std::int64_t>(stored->columns[column_index(resource, "note_id")]);
            if (find_column(resource, "field_name") && resource.key_columns == 1)
                at.field_name = value_text(stored->columns[column_index(resource, "field_name")]);
        }
        auto name = fmt::format("{} {}", resource.name, value_text(key.back()));
        try {
            auto query = resource.list_params.empty() ? std::string{}
                                                      : "?" + std::string(resource.list_params);
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
            if (!is_permanent(error))
                throw;
            problem(fmt::format("{} is no longer listed and could not be confirmed deleted: {}",
                                name, error.what()));
        }
    }
    progress_.records[std::string(resource.name)].deleted += marked;
    spdlog::debug("{}: {} {} of {} confirmed deleted", account_, marked, resource.name, scope);
    co_return alive;
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
        bool whole = true;
        ListRequest request{kind,
                            list_path(r, context),
                            std::string(r.list_params),
                            static_cast<std::size_t>(r.page_size),
                            {}};
        auto outcome = co_await list_pages(
            client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
                Items mine;
                for (auto item : items) {
                    if (auto foreign = foreign_parent(r, item, context)) {
                        problem(fmt::format("{} answered {} with {}; it was not stored",
                                            list_path(r, context), describe(r, item), *foreign));
                        whole = false;
                    } else {
                        mine.push_back(item);
                    }
                }
                auto tx = replica_.begin();
                for (auto item : mine) {
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
        whole = accept(outcome) && whole;
        co_await settle_sweep(r, sweep, context, kUnguarded, whole);
    }
    context.choice_fields = &scan.choice_fields;
    const auto& values = resource(Kind::CustomFieldValues);
    auto value_sweep = replica_.begin_sweep(values.table, "project_id", project_id);
    bool values_whole = true;
    for (const auto& [name, choice] : scan.choice_fields) {
        if (!choice)
            continue;
        Context field_context = context;
        field_context.field_name = name;
        ListRequest request{Kind::CustomFieldValues,
                            list_path(values, field_context),
                            {},
                            static_cast<std::size_t>(values.page_size),
                            {}};
        auto outcome = co_await list_pages(
            client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
                values_whole =
                    store_page(values, items, field_context, &value_sweep) && values_whole;
                co_return true;
            });
        values_whole = accept(outcome) && values_whole;
    }
    co_await settle_sweep(values, value_sweep, context, kUnguarded, values_whole);
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
        bool whole = true;
        ListRequest request{Kind::Tickets,
                            path,
                            std::string(tickets.list_params) + "&orderCol=insert_time&reverse=0",
                            static_cast<std::size_t>(tickets.page_size),
                            kTicketOrder,
                            true};
        auto outcome = co_await list_pages(
            client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
                check_stop();
                std::vector<std::tuple<std::int64_t, std::string, bool>> todo;
                whole = store_page(
                            tickets, items, scan.context, &sweep,
                            [&](const store::Record& record, dom::element item, ChangeKind kind) {
                                todo.emplace_back(std::get<std::int64_t>(record.key[0]),
                                                  text_field(item, "update_time"),
                                                  kind == ChangeKind::Inserted);
                            }) &&
                        whole;
                for (auto& [id, update_time, fresh] : todo)
                    co_await start_ticket(scan, id, update_time, fresh);
                co_return true;
            });
        whole = accept(outcome) && whole;
        auto alive = co_await settle_sweep(tickets, sweep, scan.context, kGuardMany, whole);
        for (const auto& id : alive)
            co_await read_ticket(scan, std::get<std::int64_t>(id));
    }
    if (!scan.latest.empty() && scan.latest > watermark.value_or(""))
        watermarks_[key] = scan.latest;
}

asio::awaitable<void> Crawler::start_ticket(ProjectScan& scan, std::int64_t id,
                                            const std::string& update_time, bool fresh) {
    if (!scan.started.insert(id).second)
        co_return;
    refresh_marks();
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

asio::awaitable<void> Crawler::read_ticket(ProjectScan& scan, std::int64_t id) {
    check_stop();
    const auto& tickets = resource(Kind::Tickets);
    std::string update_time;
    bool fresh = false;
    bool stored = false;
    try {
        auto answer =
            co_await client_.get(list_path(tickets, scan.context) + "/" + std::to_string(id) + "?" +
                                 std::string(tickets.list_params));
        stored = store_page(tickets, {answer.data()}, scan.context, nullptr,
                            [&](const store::Record&, dom::element item, ChangeKind kind) {
                                update_time = text_field(item, "update_time");
                                fresh = kind == ChangeKind::Inserted;
                            });
    } catch (const http::HttpError& error) {
        if (!is_permanent(error))
            throw;
        refused(error, fmt::format("ticket {}", id));
    }
    if (stored)
        co_await start_ticket(scan, id, update_time, fresh);
}

asio::awaitable<void> Crawler::crawl_recent_tickets(ProjectScan& scan,
                                                    const std::string& watermark) {
    const auto& tickets = resource(Kind::Tickets);
    auto stop_below = minus(watermark, options_.overlap);
    // Not for completeness (the id listing below is): a shortcut to what changed.
    ListRequest request{Kind::Tickets,
                        list_path(tickets, scan.context),
                        std::string(tickets.list_params) + "&orderCol=update_time&reverse=1",
                        static_cast<std::size_t>(tickets.page_size),
                        "update_time",
                        true};
    auto outcome = co_await list_pages(
        client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
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
    accept(outcome);
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
    bool whole = true;
    ListRequest request{
        Kind::Tickets,
        path,
        "archived=2&fields=id,project_id,insert_time,update_time&orderCol=insert_time&reverse=0",
        kIdPage,
        kTicketOrder,
        true};
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
                if (auto foreign = foreign_parent(tickets, item, scan.context)) {
                    problem(fmt::format("{} answered ticket {} with {}; it was not stored", path,
                                        *id, *foreign));
                    whole = false;
                    continue;
                }
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
                    stored->columns[update_column] != Value{update_time} || mark == marks_.end() ||
                    !settled(mark->second, update_time)) {
                    missed.push_back(*id);
                }
            }
            tx.commit();
            co_return true;
        });
    whole = accept(outcome) && whole;
    auto alive = co_await settle_sweep(tickets, sweep, scan.context, kGuardMany, whole);
    for (const auto& id : alive)
        missed.push_back(std::get<std::int64_t>(id));
    for (auto id : missed)
        co_await read_ticket(scan, id);
}

asio::awaitable<bool> Crawler::list_tasks(const Context& context, store::Sweep* sweep) {
    const auto& r = resource(Kind::Tasks);
    bool whole = true;
    ListRequest request{
        Kind::Tasks, list_path(r, context), {}, static_cast<std::size_t>(r.page_size), {}, true};
    auto outcome = co_await list_pages(client_, page_caps_, request,
                                       [&](const Items& items) -> asio::awaitable<bool> {
                                           whole = store_page(r, items, context, sweep) && whole;
                                           co_return true;
                                       });
    co_return accept(outcome) && whole;
}

asio::awaitable<void> Crawler::crawl_ticket(Context context, std::string update_time, bool fresh,
                                            http::AsyncSemaphore::Permit permit) {
    auto hold = std::move(permit);
    // Marks vouch for committed children only: a window rolled back while this ticket's
    // children were written takes some of them with it.
    auto epoch = replica_.lost_windows();
    auto ticket = fmt::format("ticket {}", context.ticket_id);
    std::optional<std::string> child_missing;
    try {
        bool complete = true;
        bool bodies_skipped = false;
        // A ticket seen for the first time has no stored children to sweep.
        auto sweep_of = [&](const Resource& r) {
            std::optional<store::Sweep> sweep;
            if (!fresh)
                sweep.emplace(replica_.begin_sweep(r.table, "ticket_id", context.ticket_id));
            return sweep;
        };
        check_stop();
        const auto& notes_resource = resource(Kind::Notes);
        std::vector<std::int64_t> notes;
        std::set<std::int64_t> parents;
        auto note_sweep = sweep_of(notes_resource);
        bool notes_whole = true;
        ListRequest request{Kind::Notes, list_path(notes_resource, context),
                            {},          static_cast<std::size_t>(notes_resource.page_size),
                            {},          true};
        auto outcome = co_await list_pages(
            client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
                notes_whole =
                    store_page(notes_resource, items, context, note_sweep ? &*note_sweep : nullptr,
                               [&](const store::Record& record, dom::element item, ChangeKind) {
                                   notes.push_back(std::get<std::int64_t>(record.key[0]));
                                   auto parent = wire::field(item, "parent_id");
                                   if (auto id = parent ? wire::as_id(*parent) : std::nullopt)
                                       parents.insert(*id);
                               }) &&
                    notes_whole;
                co_return true;
            });
        notes_whole = accept(outcome) && notes_whole;
        complete = complete && notes_whole;
        // A reply whose parent is not listed: the server hides that note from this login.
        for (auto parent : parents) {
            if (std::find(notes.begin(), notes.end(), parent) == notes.end()) {
                ++hidden_parents_;
                notice(
                    fmt::format("{} has a reply to note {}, which the server does not show "
                                "this login",
                                ticket, parent));
            }
        }
        if (note_sweep)
            co_await settle_sweep(notes_resource, *note_sweep, context, kUnguarded, notes_whole);

        // Tasks have no URL of their own to ask: a task is gone when two listings taken at
        // different times lack it, the first here and the second after the ticket's notes and
        // files were read.
        const auto& tasks = resource(Kind::Tasks);
        auto task_sweep = sweep_of(tasks);
        bool tasks_whole = co_await list_tasks(context, task_sweep ? &*task_sweep : nullptr);
        complete = complete && tasks_whole;
        std::vector<std::vector<Value>> unlisted_tasks;
        if (task_sweep && tasks_whole)
            unlisted_tasks = task_sweep->unseen_keys();
        task_sweep.reset();

        const auto& files = resource(Kind::Files);
        auto file_sweep = sweep_of(files);
        bool files_whole = true;
        for (auto note : notes) {
            check_stop();
            Context note_context = context;
            note_context.note_id = note;
            std::vector<std::pair<std::int64_t, std::optional<std::uint64_t>>> bodies;
            ListRequest request{Kind::Files,
                                list_path(files, note_context),
                                {},
                                static_cast<std::size_t>(files.page_size),
                                {}};
            auto listed = co_await list_pages(
                client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
                    files_whole =
                        store_page(files, items, note_context, file_sweep ? &*file_sweep : nullptr,
                                   [&](const store::Record& record, dom::element item, ChangeKind) {
                                       auto size = wire::field(item, "size");
                                       auto n = size ? wire::as_number(*size) : std::nullopt;
                                       bodies.emplace_back(
                                           std::get<std::int64_t>(record.key[0]),
                                           n ? std::optional<std::uint64_t>(*n) : std::nullopt);
                                   }) &&
                        files_whole;
                    co_return true;
                });
            files_whole = accept(listed) && files_whole;
            bodies_skipped = bodies_skipped || (!options_.files && !bodies.empty());
            if (options_.files) {
                for (auto& [id, size] : bodies) {
                    auto stored = co_await download(note_context, id, size);
                    complete = complete && stored;
                }
            }
        }
        complete = complete && files_whole;
        if (file_sweep)
            co_await settle_sweep(files, *file_sweep, context, kUnguarded,
                                  files_whole && notes_whole);

        if (!unlisted_tasks.empty()) {
            auto again = replica_.begin_sweep(tasks.table, "ticket_id", context.ticket_id);
            if (co_await list_tasks(context, &again)) {
                auto still = again.unseen_keys();
                auto tx = replica_.begin();
                std::int64_t marked = 0;
                for (const auto& key : unlisted_tasks)
                    if (std::find(still.begin(), still.end(), key) != still.end())
                        marked += replica_.tombstone(tasks.table, key, run_) ? 1 : 0;
                tx.commit();
                progress_.records[std::string(tasks.name)].deleted += marked;
            } else {
                complete = false;
            }
        }
        // A ticket with anything not stored stays unmarked, so that the next run reads it again.
        if (complete && replica_.lost_windows() == epoch) {
            auto id = std::to_string(context.ticket_id);
            auto mark = bodies_skipped ? update_time + std::string(kWithoutBodies) : update_time;
            auto tx = replica_.begin();
            store::mark_children_stored(replica_, context.ticket_id, mark);
            tx.commit();
            marks_[id] = mark;
        }
    } catch (const http::HttpError& error) {
        if (!is_permanent(error))
            throw;
        if (error.status() != 404) {
            refused(error, ticket);  // left unmarked
            co_return;
        }
        child_missing = error.what();
    }
    // A child list of a listed ticket answered 404: deleted since it was listed, or a server
    // refusing it. Only the ticket's own URL can tell.
    if (child_missing)
        co_await confirm_ticket_gone(context, *child_missing);
}

asio::awaitable<void> Crawler::confirm_ticket_gone(const Context& context, std::string why) {
    const auto& tickets = resource(Kind::Tickets);
    Value key{context.ticket_id};
    bool gone = false;
    try {
        co_await client_.get(list_path(tickets, context) + "/" + std::to_string(context.ticket_id));
        problem(fmt::format("ticket {} exists but a list of its children could not be read: {}",
                            context.ticket_id, why));
    } catch (const http::HttpError& error) {
        if (!is_permanent(error))
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

void Crawler::refused(const http::HttpError& error, const std::string& what) {
    problem(fmt::format("{} could not be read: {}", what, error.what()));
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
            problem(fmt::format("file {} of ticket {} has {} bytes where its metadata says {}",
                                file_id, context.ticket_id, received, *size));
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
        refused(error, fmt::format("the body of file {}", file_id));
        body_stored = false;
    }
    co_return body_stored;
}

}  // namespace smartq::sync
