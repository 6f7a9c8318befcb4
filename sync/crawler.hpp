// Walks one account's resource tree into the replica: users, projects and
// their roles, steps, fields and values, tickets and their notes, tasks and
// files. A full run lists everything; an incremental run lists tickets newest
// change first down to the watermark, plus an id-only listing that finds
// deletions; a deep run re-reads every child to find what an update_time
// misses. The crawler is read-only against the account: it only GETs.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/blob_store.hpp"
#include "store/replica.hpp"
#include "sync/http/api_client.hpp"
#include "sync/pager.hpp"
#include "sync/resources.hpp"
#include "sync/sync_error.hpp"
#include "sync/task_group.hpp"

namespace smartq::sync {

struct SyncOptions {
    bool deep = false;
    bool files = true;
    bool confirm_deletions = false;      // let a sweep mark most of a resource deleted
    std::chrono::seconds overlap{300};   // re-read this far behind the watermark
    std::size_t tickets_in_flight = 32;  // tickets whose children are being read at once
};

// What a run has done so far; the progress display reads it while the run goes on.
struct SyncProgress {
    std::map<std::string, store::RecordCounts> records;  // by resource
    std::string current;                                 // resource being listed
    std::uint64_t attachments = 0;
    std::uint64_t attachment_bytes = 0;
    std::uint64_t total_records() const;
};

class Crawler {
  public:
    Crawler(http::ApiClient& client, store::Replica& replica, store::BlobStore& blobs,
            std::string account, SyncOptions options);
    ~Crawler();

    // Runs one sync and records it in `runs`. Throws SyncError (or an
    // HttpError/StoreError/BlobError from below) when the run did not complete;
    // what was committed stays committed and the next run resumes from it.
    boost::asio::awaitable<store::RunKind> run();

    // Asks the run to stop at its next step; it ends as interrupted.
    void request_stop();

    const SyncProgress& progress() const { return progress_; }

  private:
    struct ProjectScan;
    using Items = std::vector<simdjson::dom::element>;

    boost::asio::awaitable<void> crawl();
    boost::asio::awaitable<void> crawl_project(std::int64_t project_id);
    boost::asio::awaitable<void> crawl_tickets(ProjectScan& scan);
    boost::asio::awaitable<void> crawl_recent_tickets(ProjectScan& scan,
                                                      const std::string& watermark);
    boost::asio::awaitable<void> sweep_ticket_ids(ProjectScan& scan);
    boost::asio::awaitable<void> crawl_ticket(Context context, std::string update_time, bool fresh,
                                              http::AsyncSemaphore::Permit permit);
    // Lists a ticket's tasks into the replica; false if the list was not read whole.
    boost::asio::awaitable<bool> list_tasks(const Context& context, store::Sweep* sweep);
    // False if the body was not stored (it disagreed with the metadata): the run is partial.
    boost::asio::awaitable<bool> download(const Context& context, std::int64_t file_id,
                                          std::optional<std::uint64_t> size);
    boost::asio::awaitable<void> start_ticket(ProjectScan& scan, std::int64_t id,
                                              const std::string& update_time, bool fresh);
    // Reads one ticket by its own URL (the id listing showed it changed, or a sweep did not
    // see it) and reads its children.
    boost::asio::awaitable<void> read_ticket(ProjectScan& scan, std::int64_t id);
    // A child list of a listed ticket answered 404: tombstones the ticket if its own URL
    // answers 404 too, else the run is partial and the ticket stays unmarked.
    boost::asio::awaitable<void> confirm_ticket_gone(const Context& context, std::string why);

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
    // Tombstones what the sweep did not see and the server confirms gone: after the deletion
    // guard, each unseen row is asked for at its own URL and only a 404 marks it deleted.
    // Nothing is marked when the listing was not read whole. Returns the keys that answered
    // (they exist: the listing missed them).
    boost::asio::awaitable<std::vector<store::Value>> settle_sweep(const Resource& resource,
                                                                   store::Sweep& sweep,
                                                                   const Context& context,
                                                                   std::int64_t guard_from,
                                                                   bool whole);
    void guard_deletions(const Resource& resource, store::Sweep& sweep, std::string_view scope,
                         std::int64_t guard_from);
    void cascade_tombstones();
    void check_stop() const;
    bool settled(const std::string& mark, const std::string& update_time) const;
    // Reloads the marks when a failed commit rolled back writes they may vouch for.
    void refresh_marks();
    void problem(std::string sentence);
    void notice(std::string sentence);
    // A permanent refusal of part of the account: a problem of the run.
    void refused(const http::HttpError& error, const std::string& what);
    store::RunKind decide_kind();

    http::ApiClient& client_;
    store::Replica& replica_;
    store::BlobStore& blobs_;
    std::string account_;
    SyncOptions options_;
    store::RunKind kind_ = store::RunKind::Full;
    store::RunId run_ = 0;
    PageCaps page_caps_;
    SyncProgress progress_;
    std::unique_ptr<TaskGroup> tasks_;
    std::shared_ptr<http::AsyncSemaphore> ticket_slots_;
    std::unordered_map<std::string, std::string>
        marks_;                      // ticket id -> update_time of its committed children
    std::uint64_t marks_epoch_ = 0;  // replica_.lost_windows() when loaded
    std::map<std::string, std::string> watermarks_;  // state key -> value, saved on success
    std::vector<std::string> problems_;              // per-object failures: the run is partial
    std::vector<std::string> notices_;               // findings that leave the run complete
    std::size_t hidden_parents_ = 0;                 // replies whose parent note is not listed
    bool stop_requested_ = false;
};

}  // namespace smartq::sync
