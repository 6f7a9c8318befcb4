#include "sync/crawler.hpp"

#include <spdlog/spdlog.h>

#include "store/cascade.hpp"
#include "store/child_marks.hpp"
#include "store/state_prefix.hpp"
#include "sync/crawl/rows.hpp"
#include "sync/crawl/walk_state.hpp"
#include "sync/failure.hpp"
#include "sync/wire/normalise.hpp"

namespace smartq::sync {
namespace asio = boost::asio;
namespace dom = simdjson::dom;
using store::ChangeKind;

namespace {

constexpr std::string_view kFullDone = "full_sync_complete";
constexpr std::string_view kPageCapPrefix = "page_cap/";
// What the last run measured of its own schedule, for the benchmark: the longest chain of
// requests sent one after another, and the time-weighted mean of requests in flight.
constexpr std::string_view kCriticalPath = "last_run/critical_path";
constexpr std::string_view kMeanInFlight = "last_run/mean_in_flight";
// Pages are committed together this often: a commit per page costs more than reading the page,
// and a killed run loses at most this much work, which the next run reads again.
constexpr std::chrono::milliseconds kCommitWindow{1000};
// Jobs beyond the requests the pacer lets on the wire: while one job stores what its request
// brought back, another's request is already waiting to leave in its place (ApiClient::paced
// lets it go first), so the wire stays full. Each holds at most one answer.
constexpr std::size_t kJobsBeyondWire = 2;

}  // namespace

std::uint64_t SyncProgress::total_records() const {
    std::uint64_t total = 0;
    for (const auto& [name, counts] : records)
        total += counts.inserted + counts.updated + counts.unchanged;
    return total;
}

Crawler::Crawler(http::ApiClient& client, store::Replica& replica, store::BlobStore& blobs,
                 std::string account, SyncOptions options)
    : client_(client),
      replica_(replica),
      downloader_(client, replica, blobs),
      blobs_(blobs),
      account_(std::move(account)),
      options_(options) {}

Crawler::~Crawler() = default;

void Crawler::request_stop() {
    stop_requested_ = true;
    if (queue_)
        queue_->fail(std::make_exception_ptr(SyncError(
            SyncError::Reason::Interrupted, "the sync of " + account_ + " was interrupted")));
}

void Crawler::check_stop() const {
    if (stop_requested_ || (queue_ && queue_->failed())) {
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

void Crawler::refused(const http::HttpError& error, const std::string& what) {
    problem(fmt::format("{} could not be read: {}", what, error.what()));
}

// Whether a ticket's children were all stored at this update time, as this run stores them.
bool Crawler::settled(const std::string& mark, const std::string& update_time) const {
    return mark == update_time ||
           (!options_.files && mark == update_time + std::string(crawl::kWithoutBodies));
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

void Crawler::load_page_caps() {
    for (const auto& [list, cap] : store::states_with_prefix(replica_, kPageCapPrefix))
        page_caps_.of(list) = static_cast<std::size_t>(std::stoull(cap));
}

asio::awaitable<store::RunKind> Crawler::run() {
    kind_ = decide_kind();
    run_ = replica_.start_run(account_, kind_);
    blobs_.remove_stale_temps();
    // A mark whose children are not all there (a commit lost after the mark landed, by an
    // older version) would keep the ticket from being read again: drop it.
    if (auto gaps = store::marks_without_children(replica_, tables_below(Kind::Tickets));
        !gaps.empty()) {
        for (const auto& gap : gaps)
            spdlog::warn("{}: {}; reading it again", account_, gap.sentence());
        store::drop_marks(replica_, gaps);
    }
    marks_ = replica_.marks(store::kTicketMarks);
    marks_epoch_ = replica_.lost_windows();
    load_page_caps();
    load_newest_seen();
    auto executor = co_await asio::this_coro::executor;
    queue_ = std::make_unique<WorkQueue>(executor, options_.concurrency + kJobsBeyondWire,
                                         options_.queued_tickets);
    auto started = std::chrono::steady_clock::now();
    auto before = client_.stats();
    store::RunSummary summary;
    std::exception_ptr failure;
    std::optional<store::WriteBatch> batch(replica_.batch(kCommitWindow));
    try {
        Chain chain;
        co_await crawl(chain);
    } catch (...) {
        failure = std::current_exception();
    }
    critical_path_ = queue_->critical_path();
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
    std::chrono::duration<double> wall = std::chrono::steady_clock::now() - started;
    auto mean_in_flight =
        wall.count() > 0 ? (stats.in_flight_seconds - before.in_flight_seconds) / wall.count() : 0;
    spdlog::info("{}: critical path {} requests, {:.2f} requests in flight on average", account_,
                 critical_path_, mean_in_flight);
    if (failure) {
        finish_failed(summary, failure);
        std::rethrow_exception(failure);
    }
    save_state(mean_in_flight);
    replica_.finish_run(run_, summary);
    co_return kind_;
}

// The run log records the status and the sentence the command line reports for the same failure.
void Crawler::finish_failed(store::RunSummary& summary, std::exception_ptr failure) {
    auto classified = classify(failure);
    summary.status = run_status(classified.cause);
    summary.error = std::move(classified.sentence);
    if (summary.problems.empty() || summary.problems.front() != summary.error)
        summary.problems.insert(summary.problems.begin(), summary.error);
    replica_.finish_run(run_, summary);
}

void Crawler::save_state(double mean_in_flight) {
    auto tx = replica_.begin();
    replica_.set_state(kCriticalPath, std::to_string(critical_path_));
    replica_.set_state(kMeanInFlight, fmt::format("{:.3f}", mean_in_flight));
    for (const auto& [key, value] : watermarks_)
        replica_.set_state(key, value);
    for (const auto& [list, cap] : page_caps_.all())
        if (cap > 0)
            replica_.set_state(std::string(kPageCapPrefix) + list, std::to_string(cap));
    if (kind_ != store::RunKind::Incremental)
        replica_.set_state(kFullDone, store::utc_now());
    tx.commit();
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

ListRequest Crawler::list_request(const Resource& resource, std::string path, Chain& chain) const {
    ListRequest request;
    request.kind = resource.kind;
    request.path = std::move(path);
    request.page_size = static_cast<std::size_t>(resource.page_size);
    request.sent = &chain.requests;
    return request;
}

// The account itself (/users/me) and each list at the root of the table (users, projects) are
// jobs of the queue side by side; each project a root holds becomes a job once its list is whole.
// Nothing the walk stores waits on another row being there first (links.hpp), and at 10 ms a
// request, reading them one after another kept 7 of 8 slots idle for the run's first 60 ms.
asio::awaitable<void> Crawler::crawl(Chain& chain) {
    queue_->push_new(chain, [this](Chain& at) { return read_me(at); });
    for (const auto* root : children(std::nullopt))
        queue_->push_new(chain, [this, root](Chain& at) { return crawl_root(*root, at); });
    co_await queue_->run();
    cascade_tombstones();
}

asio::awaitable<void> Crawler::read_me(Chain& chain) {
    ++chain.requests;
    auto me = co_await client_.get("/users/me");
    replica_.set_state("me", wire::to_json(me.data()));
}

asio::awaitable<void> Crawler::crawl_root(const Resource& r, Chain& chain) {
    // A root the table puts resources below (projects) hands each of its rows on as a job.
    bool holds = !children(r.kind).empty();
    std::vector<std::int64_t> held;
    auto sweep = replica_.begin_sweep(r.table);
    bool whole = true;
    auto request = list_request(r, std::string(r.path), chain);
    request.params = r.list_params;
    request.paged_by_guide = r.restore.paged_by_guide;
    auto outcome = co_await list_pages(
        client_, page_caps_, request, [&](const Items& items) -> asio::awaitable<bool> {
            whole = store_page(r, items, {}, &sweep,
                               [&](const store::Record& record, dom::element, ChangeKind) {
                                   if (holds)
                                       held.push_back(std::get<std::int64_t>(record.key[0]));
                               }) &&
                    whole;
            co_return true;
        });
    whole = accept(outcome) && whole;
    Context account;
    auto alive = co_await settle_sweep(r, sweep, account, whole, chain);
    for (const auto& key : alive) {
        if (holds)
            held.push_back(std::get<std::int64_t>(key));
    }
    for (auto id : held)
        queue_->push_new(chain, [this, id](Chain& at) { return crawl_project(id, at); });
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
    auto where = list_path(resource, context);
    auto tx = replica_.begin();
    for (auto item : items) {
        if (auto foreign = crawl::foreign_parent(resource, item, context)) {
            problem(fmt::format("{} answered {} with {}; it was not stored", where,
                                crawl::describe(resource, item), *foreign));
            whole = false;
            continue;
        }
        std::optional<store::Record> record;
        try {
            record = make_record(resource, item, context);
        } catch (const wire::WireError& error) {
            problem(fmt::format("{} in {} could not be read: {}", crawl::describe(resource, item),
                                where, error.what()));
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

}  // namespace smartq::sync
