#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

// What a client counts about its exchanges, for run logs, metrics and benchmarks.
namespace smartq::http {

// How long requests took, from leaving the pacer to the last byte of the answer,
// in the fixed buckets a Prometheus histogram exposes (upper bounds, in seconds;
// the last bucket, +Inf, is implied). The top buckets reach request_timeout.
class DurationHistogram {
  public:
    static constexpr std::array<double, 14> kBounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                    1,     2.5,  5,     10,   30,  60,   120};

    void observe(std::chrono::duration<double> took);
    void add(const DurationHistogram& other);

    // Observations at or below kBounds[i], cumulative as Prometheus wants them;
    // i == kBounds.size() is +Inf, every observation.
    std::uint64_t cumulative(std::size_t i) const;
    std::uint64_t count() const { return count_; }
    double sum_seconds() const { return sum_; }

  private:
    std::array<std::uint64_t, kBounds.size() + 1> buckets_{};  // not cumulative
    std::uint64_t count_ = 0;
    double sum_ = 0;
};

// What became of an attempt: the class of its HTTP status, or no answer at all.
enum class AnswerClass { Success, Redirect, ClientError, ServerError, TransportFailure };
inline constexpr std::size_t kAnswerClasses = 5;

AnswerClass answer_class(unsigned status);   // status 0: no answer was read
std::string_view to_label(AnswerClass cls);  // "2xx", "3xx", "4xx", "5xx", "failed"

struct Stats {
    std::map<std::string, std::uint64_t> requests_by_method;  // sent on the wire, retries included
    std::uint64_t bytes_received = 0;
    std::uint64_t retries = 0;
    std::uint64_t writes = 0;  // requests other than GET and the token POST
    std::uint64_t connections_opened = 0;
    // The integral over time of the requests on the wire, in request-seconds: divided by
    // the wall time it covers, the time-weighted mean in flight.
    double in_flight_seconds = 0;
    DurationHistogram durations;
    std::array<std::uint64_t, kAnswerClasses> answers{};  // by AnswerClass

    std::uint64_t answered(AnswerClass cls) const { return answers[static_cast<std::size_t>(cls)]; }
};

// Integrates the number of requests in flight over time, with time passed in.
class InFlightIntegral {
  public:
    using Clock = std::chrono::steady_clock;

    void change(Clock::time_point now, int delta);
    double seconds(Clock::time_point now) const;  // request-seconds up to now

  private:
    std::size_t in_flight_ = 0;
    Clock::time_point since_{};
    double settled_ = 0;  // request-seconds up to since_
};

}  // namespace smartq::http
