// What a user sees while accounts sync: on a terminal one live line per
// account, redrawn a few times a second; elsewhere (systemd, a pipe) one
// summary line per resource and one per run, through the log.
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <string>

#include "store/run_log.hpp"
#include "sync/sync_run.hpp"

namespace smartq::daemon {

class ProgressDisplay {
  public:
    ProgressDisplay(boost::asio::any_io_executor executor, std::string account, bool live);
    ~ProgressDisplay();
    void attach(const sync::SyncRun& run);
    // The run is over: keep what it counted.
    void detach();
    // Ends the live line and prints the summary of the run.
    void finish(const std::string& outcome);

  private:
    void schedule();
    void draw();

    boost::asio::steady_timer timer_;
    std::string account_;
    bool live_;
    const sync::SyncRun* run_ = nullptr;
    sync::SyncProgress last_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

std::string human_bytes(std::uint64_t bytes);

}  // namespace smartq::daemon
