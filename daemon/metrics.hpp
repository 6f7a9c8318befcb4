// The daemon's counters per account, in the Prometheus text format, and an
// optional HTTP listener serving them at /metrics.
#pragma once

#include <utility>

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "daemon/store_size.hpp"
#include "store/run_log.hpp"
#include "sync/http/request_stats.hpp"

namespace smartq::daemon {

struct AccountMetrics {
    std::uint64_t runs = 0;
    std::uint64_t failures = 0;
    std::map<std::string, std::uint64_t>
        records;  // by change: inserted, updated, unchanged, deleted
    std::uint64_t bytes = 0;
    std::uint64_t requests = 0;
    double last_duration_seconds = 0;
    std::optional<std::int64_t> last_success_unix;  // seconds since the epoch
    std::optional<store::RunStatus> last_status;    // of the last run that ended
    bool running = false;
    std::optional<StoreSize> store;             // measured at start and after each run
    http::DurationHistogram request_durations;  // every attempt
    std::array<std::uint64_t, http::kAnswerClasses> answers{};  // by http::AnswerClass
};

class Metrics {
  public:
    // `version` is the program's, for smartq_build_info.
    explicit Metrics(std::string version = {});

    // A finished run: `run` is its row in the runs table when one was written.
    // Ok counts as a success, Interrupted as neither success nor failure.
    void record_run(const std::string& account, const std::optional<store::RunInfo>& run,
                    store::RunStatus status, std::chrono::duration<double> duration,
                    std::chrono::system_clock::time_point ended);
    void set_running(const std::string& account, bool running);
    // What one run's client counted: request durations and answers by status class.
    void record_transport(const std::string& account, const http::Stats& stats);
    // What the replica remembers from before this process: the last run that
    // ended and the last success, so a restarted daemon reports them at once.
    void remember(const std::string& account, const std::optional<store::RunInfo>& last,
                  const std::optional<store::RunInfo>& last_success);
    void set_store_size(const std::string& account, StoreSize size);
    // Forgets an account that left the configuration.
    void forget(const std::string& account);

    const std::map<std::string, AccountMetrics>& accounts() const { return accounts_; }
    // The exposition text (version 0.0.4) of every counter and gauge.
    std::string render() const;

  private:
    void render_durations(std::string& out) const;

    std::string version_;
    std::map<std::string, AccountMetrics> accounts_;
};

// Serves GET /metrics on `address` ("127.0.0.1:9464", "[::1]:9464") until
// stop(). The constructor binds and throws std::runtime_error with the address
// when it cannot.
class MetricsServer {
  public:
    MetricsServer(boost::asio::any_io_executor executor, const std::string& address,
                  const Metrics& metrics);
    ~MetricsServer();
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    std::uint16_t port() const;
    void stop();

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace smartq::daemon
