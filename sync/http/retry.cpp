#include "sync/http/retry.hpp"

#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <ctime>

#include <spdlog/spdlog.h>

namespace smartq::http {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

bool worth_retrying(ErrorClass cls) {
    return cls == ErrorClass::Retryable || cls == ErrorClass::RateLimited ||
           cls == ErrorClass::Unreachable || cls == ErrorClass::Malformed;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value) {
    // IMF-fixdate, the only form RFC 9110 lets servers send: "Sun, 06 Nov 1994 08:49:37 GMT".
    std::string text(value);
    std::tm parts{};
    const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &parts);
    if (end == nullptr || *end != '\0') {
        return std::nullopt;
    }
    return std::chrono::system_clock::from_time_t(timegm(&parts));
}

}  // namespace

milliseconds backoff_delay(const RetryPolicy& policy, int failures, std::mt19937_64& random) {
    int doublings = std::clamp(failures - 1, 0, 30);
    auto ceiling = std::min(policy.max_delay.count(),
                            policy.base_delay.count() * (std::int64_t{1} << doublings));
    std::uniform_int_distribution<std::int64_t> spread(0, std::max<std::int64_t>(ceiling, 0));
    return milliseconds(spread(random));
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
    while (!value.empty() && value.front() == ' ') {
        value.remove_prefix(1);
    }
    while (!value.empty() && value.back() == ' ') {
        value.remove_suffix(1);
    }
    std::int64_t seconds = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (!value.empty() && ec == std::errc{} && end == value.data() + value.size()) {
        if (seconds < 0) {
            return std::nullopt;
        }
        return milliseconds(std::min<std::int64_t>(seconds, 1'000'000'000) * 1000);
    }
    auto date = parse_http_date(value);
    if (!date) {
        return std::nullopt;
    }
    return std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(*date - now));
}

Retrier::Retrier(asio::any_io_executor executor, RetryPolicy policy, std::string account)
    : executor_(std::move(executor)),
      policy_(policy),
      account_(std::move(account)),
      random_(std::random_device{}()) {}

asio::awaitable<void> Retrier::run(std::string_view what,
                                   std::function<asio::awaitable<void>()> attempt,
                                   std::function<void()> before_retry, WriteCheck check) {
    bool ever_connected = false;
    auto started = std::chrono::steady_clock::now();
    for (int failures = 0;;) {
        std::optional<HttpError> failure;
        try {
            co_await attempt();
            co_return;
        } catch (const HttpError& error) {
            bool unknown = error.cls() == ErrorClass::OutcomeUnknown && check;
            if (!unknown && !worth_retrying(error.cls())) {
                throw;
            }
            failure = error;
        }
        if (failure->cls() == ErrorClass::OutcomeUnknown) {
            if (co_await check()) {
                spdlog::info("{} {}: the answer was lost, but the target shows it carried out",
                             account_, what);
                co_return;
            }
            spdlog::info("{} {}: the answer was lost and the write is to be sent again", account_,
                         what);
        }
        ever_connected = ever_connected || failure->cls() != ErrorClass::Unreachable;
        bool limited = failure->cls() == ErrorClass::RateLimited;
        failures += limited ? 0 : 1;
        bool out_of_time = std::chrono::steady_clock::now() - started >= policy_.retry_for;
        if (failures >= policy_.max_attempts || out_of_time) {
            if (failure->cls() == ErrorClass::Unreachable && ever_connected) {
                throw HttpError(ErrorClass::Retryable, failure->status(), failure->what());
            }
            throw *failure;
        }
        ++retries_;
        if (limited) {
            spdlog::debug("{} {}: rate-limited, sending again when the pacer lets it: {}", account_,
                          what, failure->what());
        } else {
            auto delay = backoff_delay(policy_, failures, random_);
            spdlog::warn("{} {}: attempt {} of {} failed, retrying in {} ms: {}", account_, what,
                         failures, policy_.max_attempts, delay.count(), failure->what());
            asio::steady_timer timer(executor_, delay);
            co_await timer.async_wait(asio::use_awaitable);
        }
        if (before_retry) {
            before_retry();
        }
    }
}

}  // namespace smartq::http
