#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <random>

// How fast one account's requests may leave, shared by all of them (like rclone's
// pacer and TCP's AIMD): a rate limit slows the whole client, successes speed it up.
// A process that serves several accounts has one more pacer, the daemon's, which every
// account's pacer also passes: a fixed ceiling (max_in_flight, max_rate) that learns
// nothing, because one account's 429s say nothing about another account's limit.
namespace smartq::http {

using PaceClock = std::chrono::steady_clock;

struct PacerOptions {
    std::size_t max_in_flight = 8;
    std::optional<double> rate_limit;  // requests per second the client never exceeds
    std::chrono::milliseconds max_retry_after{120000};  // longer Retry-After waits are cut
};

// The arithmetic of the pacer, with time passed in, so it can run on a fake clock.
//
// In flight: a window between 1 and max_in_flight; a slow-down halves it, each
// success adds 1/window (one more per window's worth of successes).
// Rate: none until the first rate limit. Then 0.9 x the successes of the last
// second (what the server just let through); each success adds 1% of a request
// per second, so the rate climbs about 1% a second and probes the limit again
// after some ten seconds, at a cost of a 429 or two. A slot left unused gives
// up to 50 ms of credit to the next requests. Only one cut per
// slow-down: answers to requests sent before the cut do not cut again.
class PaceState {
  public:
    explicit PaceState(PacerOptions options);

    // True when another request may be in flight now.
    bool has_room() const;
    // The earliest time the next request may leave (now or later).
    PaceClock::time_point earliest_send(PaceClock::time_point now) const;
    // A request leaves at `now`, which is at or after earliest_send(now).
    void sent(PaceClock::time_point now);
    void finished();

    void succeeded(PaceClock::time_point now);
    // A 429, or a 503 with Retry-After, for a request sent at `sent_at`. `jitter` in
    // [0, 1) spreads the end of the pause over a tenth of the wait.
    void rate_limited(PaceClock::time_point now, PaceClock::time_point sent_at,
                      std::optional<std::chrono::milliseconds> retry_after, double jitter);
    // A failure that hints at an overloaded server (5xx, timeout): fewer in flight.
    void overloaded(PaceClock::time_point now, PaceClock::time_point sent_at);

    std::size_t window() const;
    std::size_t in_flight() const { return in_flight_; }
    std::optional<double> rate() const { return rate_; }
    PaceClock::time_point paused_until() const { return paused_until_; }

  private:
    void cut_window(PaceClock::time_point now, PaceClock::time_point sent_at);
    void forget_before(PaceClock::time_point now);

    PacerOptions options_;
    double window_;
    std::size_t in_flight_ = 0;
    std::optional<double> rate_;
    PaceClock::time_point next_send_{};
    PaceClock::time_point paused_until_{};
    PaceClock::time_point last_cut_{};
    PaceClock::time_point last_rate_cut_{};
    std::deque<PaceClock::time_point> recent_successes_;  // within the last second
};

// The asynchronous side: requests queue in order, the first waits for room and
// for its time, then (with a daemon's pacer) for the daemon's room and time, and
// leaves only when both agree at once.
class Pacer : public std::enable_shared_from_this<Pacer> {
  public:
    // Held while a request is in flight; tells the pacer how it went.
    class Ticket {
      public:
        Ticket() = default;
        Ticket(std::shared_ptr<Pacer> owner, PaceClock::time_point sent_at)
            : owner_(std::move(owner)), sent_at_(sent_at) {}
        Ticket(Ticket&&) noexcept = default;
        Ticket& operator=(Ticket&&) = delete;
        ~Ticket();

        void succeeded();
        void rate_limited(std::optional<std::chrono::milliseconds> retry_after);
        void overloaded();

      private:
        friend class Pacer;
        std::shared_ptr<Pacer> owner_;
        PaceClock::time_point sent_at_{};
        std::unique_ptr<Ticket> daemon_;  // the daemon pacer's, held as long as this one
    };

    static std::shared_ptr<Pacer> create(boost::asio::any_io_executor executor,
                                         PacerOptions options, std::shared_ptr<Pacer> daemon = {});

    boost::asio::awaitable<Ticket> admit();
    // Whether a request waits to be admitted.
    bool has_waiters() const { return !waiters_.empty(); }
    const PaceState& state() const { return state_; }

  private:
    struct Waiter;
    Pacer(boost::asio::any_io_executor executor, PacerOptions options,
          std::shared_ptr<Pacer> daemon);
    void wake_first();
    void finish();

    boost::asio::any_io_executor executor_;
    PaceState state_;
    std::shared_ptr<Pacer> daemon_;
    std::deque<std::shared_ptr<Waiter>> waiters_;
    std::mt19937_64 random_;
};

}  // namespace smartq::http
