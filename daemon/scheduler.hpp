// Keeps every account current on its own schedule in one io_context: each
// account waits its interval (plus a little jitter so accounts do not start
// together), runs deep when deep_every has passed, backs off after failures,
// and skips a round when another process holds its lock.
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "daemon/metrics.hpp"

namespace smartq::http {
class Pacer;
}

namespace smartq::daemon {

// The most a start is moved at random: a tenth of the interval, at most 30 s.
std::chrono::milliseconds jitter_cap(std::chrono::seconds interval);
// The wait after the n-th failure in a row (n >= 1): base * 2^(n-1), base =
// min(30 s, interval), never more than the interval.
std::chrono::seconds backoff_delay(std::chrono::seconds interval, int failures);
// A deep run is due when no deep or full run succeeded yet, or deep_every has
// passed since the last.
bool deep_due(std::optional<std::chrono::system_clock::time_point> last_deep,
              std::chrono::system_clock::time_point now, std::chrono::seconds deep_every);
// When the newest successful deep or full run in `account`'s replica started;
// nullopt when there is none (or no replica yet).
std::optional<std::chrono::system_clock::time_point> last_deep_run(
    const config::AccountConfig& account);

class Scheduler {
  public:
    // `changed` is called whenever a run starts or ends, for STATUS= lines.
    Scheduler(boost::asio::any_io_executor executor, Metrics& metrics,
              std::function<void()> changed);
    ~Scheduler();
    Scheduler(const Scheduler&) = delete;
    Scheduler& operator=(const Scheduler&) = delete;

    // Starts the accounts new to `accounts`, gives those that stay their new
    // settings from their next run on, and retires the others (a running one
    // finishes its run first). The runs started from now on all pass `daemon`.
    void apply(const std::vector<config::AccountConfig>& accounts,
               std::shared_ptr<http::Pacer> daemon);
    // No new runs; running ones are asked to stop and commit. `done` is called
    // once nothing runs any more.
    void stop(std::function<void()> done);

    // One line for the service manager: what runs, what comes next.
    std::string describe() const;

  private:
    struct Job;
    boost::asio::awaitable<void> keep_current(std::shared_ptr<Job> job);
    boost::asio::awaitable<void> run_once(Job& job);
    void job_ended(const std::string& name);

    boost::asio::any_io_executor executor_;
    Metrics& metrics_;
    std::function<void()> changed_;
    std::map<std::string, std::shared_ptr<Job>>
        jobs_;  // by account name, configured or still running
    std::shared_ptr<http::Pacer> daemon_;
    std::function<void()> stopped_;
    bool stopping_ = false;
};

}  // namespace smartq::daemon
