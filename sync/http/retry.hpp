#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "sync/http/errors.hpp"

namespace smartq::http {

struct RetryPolicy {
    int max_attempts = 6;  // failures; waits on a rate limit spend none of them
    std::chrono::milliseconds retry_for{600000};  // no new attempt after this long
    std::chrono::milliseconds base_delay{250};
    std::chrono::milliseconds max_delay{30000};
    std::chrono::milliseconds max_retry_after{120000};  // longer Retry-After waits are cut to this
};

// Full jitter: uniform in [0, min(max_delay, base_delay * 2^(failures-1))].
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int failures,
                                        std::mt19937_64& random);

// Retry-After is either delay-seconds or an HTTP date; nullopt when it is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

// The caller's hook for a write whose answer was lost: it looks in the target and
// says true when the write was carried out (the caller then knows from its own look
// what it made), false when it was not, so the write may be sent again. It may throw
// (the target cannot tell), which ends the write with that error. For an idempotent
// PUT or DELETE, sending it again is the look: the hook says false.
using WriteCheck = std::function<boost::asio::awaitable<bool>()>;

// Runs an attempt until it succeeds, fails permanently, or the policy is spent.
// Retryable, Malformed and Unreachable HttpErrors are retried up to max_attempts;
// RateLimited ones for as long as retry_for lasts, without a wait of their own: the
// pacer holds every request of the account until the server's Retry-After. After
// the last attempt the error is rethrown, as Unreachable only if no attempt ever
// connected. An OutcomeUnknown write is never sent again blindly: without a check
// it is rethrown at once; with one, it is over when the check finds it carried out
// and is otherwise retried like a failure (after the last attempt, still unknown).
class Retrier {
  public:
    Retrier(boost::asio::any_io_executor executor, RetryPolicy policy, std::string account);

    // before_retry runs before every re-attempt (a download discards its partial body).
    boost::asio::awaitable<void> run(std::string_view what,
                                     std::function<boost::asio::awaitable<void>()> attempt,
                                     std::function<void()> before_retry = {},
                                     WriteCheck check = {});

    std::uint64_t retries() const { return retries_; }

  private:
    boost::asio::any_io_executor executor_;
    RetryPolicy policy_;
    std::string account_;
    std::mt19937_64 random_;
    std::uint64_t retries_ = 0;
};

}  // namespace smartq::http
