// Walks one account's resource tree into the replica: users, projects and
// their roles, steps, fields and values, tickets and their notes, tasks and
// files. A full run lists everything; an incremental run lists tickets newest
// change first down to the watermark, plus an id-only listing that finds
// deletions; a deep run re-reads every child to find what an update_time
// misses. The crawler is read-only against the account: it only GETs.
//
// Its parts, one file each: this one runs a sync and keeps its record; crawl/projects.cpp
// reads a project's own resources, crawl/tickets.cpp lists tickets and decides which to read,
// crawl/ticket_children.cpp reads what the resource table puts below a ticket as independent
// jobs of the one work queue (crawl/work_queue.hpp), crawl/deletions.cpp confirms and cascades
// deletions, and files/attachment_downloader.hpp stores bodies.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "store/blob_store.hpp"
#include "store/replica.hpp"
#include "sync/crawl/work_queue.hpp"
#include "sync/files/attachment_downloader.hpp"
#include "sync/http/api_client.hpp"
#include "sync/pager.hpp"
#include "sync/resources.hpp"
#include "sync/sync_error.hpp"
#include "sync/sync_run.hpp"

namespace smartq::sync {

class Crawler final : public SyncRun {
  public:
    Crawler(http::ApiClient& client, store::Replica& replica, store::BlobStore& blobs,
            std::string account, SyncOptions options);
    ~Crawler();

    // Runs one sync and records it in `runs`. Throws SyncError (or an
    // HttpError/StoreError/BlobError from below) when the run did not complete;
    // what was committed stays committed and the next run resumes from it.
    boost::asio::awaitable<store::RunKind> run();

    void request_stop() override;

    const SyncProgress& progress() const override { return progress_; }
    // The longest chain of requests the last run sent one after another.
    std::size_t critical_path() const { return critical_path_; }

  private:
    struct ProjectScan;
    struct ValueListing;
    struct TicketWalk;
    using Items = std::vector<simdjson::dom::element>;
    using ScanPtr = std::shared_ptr<ProjectScan>;
    using WalkPtr = std::shared_ptr<TicketWalk>;
    // One step of a ticket's walk: a job of the queue that reads some of its children.
    using WalkStep = std::function<boost::asio::awaitable<void>(const WalkPtr&, Chain&)>;

    // crawler.cpp: the run and what every part shares.
    boost::asio::awaitable<void> crawl(Chain& chain);
    boost::asio::awaitable<void> read_me(Chain& chain);  // the account's own user
    // Lists a resource at the root of the table; a project it holds becomes a job of its own.
    boost::asio::awaitable<void> crawl_root(const Resource& resource, Chain& chain);
    void load_page_caps();
    // crawl/tickets.cpp: the newest ticket update time seen (TicketWalk::seen_before).
    void load_newest_seen();
    void saw_update_time(const std::string& update_time);
    // What a complete run leaves for the next: watermarks, page caps, its own figures.
    void save_state(double mean_in_flight);
    void finish_failed(store::RunSummary& summary, std::exception_ptr failure);
    // Stores one page in one transaction; each stored record is also passed to `each`. Rows
    // that cannot be read, or that belong to another parent than the one asked for, are
    // problems of the run and are skipped: false if there was any.
    using Each =
        std::function<void(const store::Record&, simdjson::dom::element, store::ChangeKind)>;
    bool store_page(const Resource& resource, const Items& items, const Context& context,
                    store::Sweep* sweep, const Each& each = {});
    void count(const Resource& resource, store::ChangeKind kind);
    // Whether a list's answer can be trusted whole; a doubt becomes a problem of the run.
    bool accept(const ListOutcome& outcome);
    // A list request of `resource` at `path` counted on `chain`.
    ListRequest list_request(const Resource& resource, std::string path, Chain& chain) const;
    void check_stop() const;
    bool settled(const std::string& mark, const std::string& update_time) const;
    // Reloads the marks when a failed commit rolled back writes they may vouch for.
    void refresh_marks();
    void problem(std::string sentence);
    void notice(std::string sentence);
    // A permanent refusal of part of the account: a problem of the run.
    void refused(const http::HttpError& error, const std::string& what);
    store::RunKind decide_kind();

    // crawl/projects.cpp: a project's roles, steps, fields and values, then its tickets.
    boost::asio::awaitable<void> crawl_project(std::int64_t project_id, Chain& chain);
    boost::asio::awaitable<void> list_own(ScanPtr scan, const Resource& r, Chain& chain);
    void queue_values(const ScanPtr& scan, const Chain& after);
    boost::asio::awaitable<void> list_values(ScanPtr scan, std::shared_ptr<ValueListing> listing,
                                             std::string field, Chain& chain);
    boost::asio::awaitable<void> settle_values(ScanPtr scan, std::shared_ptr<ValueListing> listing,
                                               Chain& chain);

    // crawl/tickets.cpp: which tickets to read.
    boost::asio::awaitable<void> crawl_tickets(ScanPtr scan, Chain& chain);
    boost::asio::awaitable<void> crawl_all_tickets(ScanPtr scan, Chain& chain);
    boost::asio::awaitable<void> crawl_recent_tickets(ScanPtr scan, const std::string& watermark,
                                                      Chain& chain);
    boost::asio::awaitable<void> sweep_ticket_ids(ScanPtr scan, Chain& chain);
    // Queues the reading of a ticket's children unless they are settled.
    void start_ticket(const ScanPtr& scan, std::int64_t id, const std::string& update_time,
                      bool fresh, const Chain& after);
    // Queues reading one ticket by its own URL (the id listing showed it changed, or a sweep
    // did not see it), then its children.
    void queue_read_ticket(const ScanPtr& scan, std::int64_t id, const Chain& after);
    boost::asio::awaitable<void> read_ticket(ScanPtr scan, std::int64_t id, Chain& chain);

    // crawl/ticket_children.cpp: the resources below a ticket and the bodies, as jobs.
    boost::asio::awaitable<void> walk_ticket(WalkPtr walk, Chain& chain);
    // Queues a step of the walk as begun work; the walk finishes after its last step.
    void queue_step(const WalkPtr& walk, const Chain& after, WalkStep step);
    boost::asio::awaitable<void> run_step(WalkPtr walk, Chain& chain, const WalkStep& step);
    // A child list answered a permanent error: the ticket's other steps are skipped.
    void stop_walk(TicketWalk& walk, const http::HttpError& error);
    // The step that lists the rows of `kind` under one parent (`at`), then queues the listing
    // of each listed row's children and the bodies of files.
    WalkStep list_step(Kind kind, Context at);
    boost::asio::awaitable<void> list_below(const WalkPtr& walk, Kind kind, Context at,
                                            Chain& chain);
    void notice_hidden_parents(const TicketWalk& walk,
                               const std::unordered_set<std::int64_t>& listed,
                               const std::set<std::int64_t>& parents);
    // Lists a resource under one parent into the replica; false if it was not read whole.
    boost::asio::awaitable<bool> list_into(const Resource& resource, const Context& context,
                                           store::Sweep* sweep, Chain& chain,
                                           const Each& each = {});
    void queue_body(const WalkPtr& walk, const Context& at, std::int64_t id,
                    simdjson::dom::element item, const Chain& after);
    // A body that is not stored (refused, or disagreeing with its metadata) leaves the ticket
    // incomplete: the run is partial.
    boost::asio::awaitable<void> download(WalkPtr walk, Context at, std::int64_t file_id,
                                          std::optional<std::uint64_t> size, Chain& chain);
    boost::asio::awaitable<void> finish_ticket(WalkPtr walk, Chain& chain);
    // After the last step: confirms what the listings missed, then marks the ticket read if
    // everything was stored.
    boost::asio::awaitable<void> settle_children(TicketWalk& walk, Chain& chain);
    boost::asio::awaitable<void> list_again(TicketWalk& walk, const Resource& resource,
                                            const std::vector<std::vector<store::Value>>& unlisted,
                                            Chain& chain);
    // A child list of a listed ticket answered 404: tombstones the ticket if its own URL
    // answers 404 too, else the run is partial and the ticket stays unmarked.
    boost::asio::awaitable<void> confirm_ticket_gone(const Context& context, std::string why,
                                                     Chain& chain);

    // crawl/deletions.cpp
    // Tombstones what the sweep did not see and the server confirms gone: after the deletion
    // guard (Resource::deletion_guard), each unseen row is asked for at its own URL and only a 404 marks it deleted.
    // Nothing is marked when the listing was not read whole. Returns the keys that answered
    // (they exist: the listing missed them).
    boost::asio::awaitable<std::vector<store::Value>> settle_sweep(const Resource& resource,
                                                                   store::Sweep& sweep,
                                                                   const Context& context,
                                                                   bool whole, Chain& chain);
    void guard_deletions(const Resource& resource, store::Sweep& sweep, std::string_view scope);
    void cascade_tombstones();

    http::ApiClient& client_;
    store::Replica& replica_;
    AttachmentDownloader downloader_;
    store::BlobStore& blobs_;
    std::string account_;
    SyncOptions options_;
    store::RunKind kind_ = store::RunKind::Full;
    store::RunId run_ = 0;
    PageCaps page_caps_;
    SyncProgress progress_;
    std::unique_ptr<WorkQueue> queue_;
    std::size_t critical_path_ = 0;
    std::unordered_map<std::string, std::string>
        marks_;                      // ticket id -> its committed children's mark (walk_state.hpp)
    std::uint64_t marks_epoch_ = 0;  // replica_.lost_windows() when loaded
    std::map<std::string, std::string> watermarks_;  // state key -> value, saved on success
    std::string newest_seen_;  // newest ticket update time any answer showed, this run or before
    std::vector<std::string> problems_;              // per-object failures: the run is partial
    std::vector<std::string> notices_;               // findings that leave the run complete
    std::size_t hidden_parents_ = 0;                 // replies whose parent note is not listed
    bool stop_requested_ = false;
};

}  // namespace smartq::sync
