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
    // False if the body was not stored (it disagreed with the metadata): the run is partial.
    boost::asio::awaitable<bool> download(const Context& context, std::int64_t file_id,
                                          std::optional<std::uint64_t> size);
    boost::asio::awaitable<void> start_ticket(ProjectScan& scan, std::int64_t id,
                                              const std::string& update_time, bool fresh);

    // Stores one page in one transaction; each stored record is also passed to `each`.
    using Each =
        std::function<void(const store::Record&, simdjson::dom::element, store::ChangeKind)>;
    void store_page(const Resource& resource, const Items& items, const Context& context,
                    store::Sweep* sweep, const Each& each = {});
    void count(const Resource& resource, store::ChangeKind kind);
    // Applies the deletion guard, then tombstones what the sweep did not see.
    void finish_sweep(const Resource& resource, store::Sweep& sweep, std::string_view scope,
                      std::int64_t guard_from);
    void cascade_tombstones();
    void check_stop() const;
    bool settled(const std::string& mark, const std::string& update_time) const;
    // A permanent refusal of part of the account: false for a 404 (deleted while we read it),
    // true, and the run partial, for anything else (a permission the login lacks, say).
    bool refused(const http::HttpError& error, const std::string& what);
    store::RunKind decide_kind();

    http::ApiClient& client_;
    store::Replica& replica_;
    store::BlobStore& blobs_;
    std::string account_;
    SyncOptions options_;
    store::RunKind kind_ = store::RunKind::Full;
    store::RunId run_ = 0;
    PageSizes page_sizes_;
    SyncProgress progress_;
    std::unique_ptr<TaskGroup> tasks_;
    std::shared_ptr<http::AsyncSemaphore> ticket_slots_;
    std::unordered_map<std::string, std::string>
        marks_;  // ticket id -> update_time of its committed children
    std::map<std::string, std::string> watermarks_;  // state key -> value, saved on success
    std::vector<std::string> problems_;              // per-object failures: the run is partial
    bool stop_requested_ = false;
};

}  // namespace smartq::sync
