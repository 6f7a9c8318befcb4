// A sync as the code that starts and watches it sees one: the options it runs with, what
// it has done so far, and a way to ask it to stop. The daemon's commands hold a running
// sync through SyncRun alone, so they compile without the crawler, its JSON and its client.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "store/run_log.hpp"

namespace smartq::sync {

struct SyncOptions {
    bool deep = false;
    bool files = true;
    bool confirm_deletions = false;     // let a sweep mark most of a resource deleted
    std::chrono::seconds overlap{300};  // re-read this far behind the watermark
    std::size_t concurrency = 8;        // workers of the crawl's work queue
    std::size_t queued_tickets = 64;  // tickets queued ahead of the workers before a listing waits
};

// What a run has done so far; the progress display reads it while the run goes on.
struct SyncProgress {
    std::map<std::string, store::RecordCounts> records;  // by resource
    std::string current;                                 // resource being listed
    std::uint64_t attachments = 0;
    std::uint64_t attachment_bytes = 0;
    std::uint64_t total_records() const;
};

class SyncRun {
  public:
    virtual ~SyncRun() = default;
    virtual const SyncProgress& progress() const = 0;
    // Asks the run to stop at its next step; it ends as interrupted.
    virtual void request_stop() = 0;
};

}  // namespace smartq::sync
