// Transport faults the sandbox injects into /api/v1 answers so that a client's
// retry, back-off and resume logic can be exercised deterministically.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace smartq::sandbox {

struct Faults {
    int latency_ms = 0;     // added before every answer
    double error_rate = 0;  // share of requests answered 500/502/503 with an HTML body
    // > 0: a sliding window: a request gets 429 (with Retry-After) when this many were
    // let through in the second before it. Refused requests do not count.
    int rate_limit = 0;
    double drop_rate = 0;      // share of connections closed without an answer
    double truncate_rate = 0;  // share of answers cut short after the headers
    // Shares of writes (POST, PUT, DELETE; not the token POST) that are carried out and
    // then answered by a closed connection, or by a 5xx page: the client cannot tell.
    double commit_then_drop_rate = 0;
    double commit_then_error_rate = 0;
    std::uint64_t seed = 1;  // the fault sequence is a function of this seed
    // Answered 403 every time, as a permission the administrator lacks would be, e.g.
    // "GET /projects/{id}/tickets/{id}/tasks" (the route templates of the statistics).
    std::string forbidden_route;
    // A route answered 200 with an endless JSON body, chunked, of kHugeAnswerBytes.
    std::string huge_answer_route;
    // A route answered 200 whose body comes one byte every trickle_interval_ms.
    std::string trickle_route;
    int trickle_interval_ms = 1000;
};

inline constexpr std::uint64_t kHugeAnswerBytes = 3ull << 30;  // 3 GiB, more than any limit

enum class FaultKind {
    None,
    Error,
    RateLimited,
    Drop,
    Truncate,
    CommitThenDrop,   // serve the request, then close without answering
    CommitThenError,  // serve the request, then answer a 5xx page instead
};

struct FaultDecision {
    FaultKind kind = FaultKind::None;
    std::chrono::milliseconds latency{0};
    unsigned error_status = 0;    // Error and CommitThenError: 500, 502 or 503
    int retry_after_seconds = 0;  // RateLimited only
};

// Decides, request by request, which fault (if any) to inject. The rates are
// exact in the long run because one uniform draw picks among them.
class FaultInjector {
  public:
    explicit FaultInjector(const Faults& faults);

    // `write`: a POST, PUT or DELETE that changes the account (not the token POST).
    FaultDecision decide(std::chrono::steady_clock::time_point now, bool write = false);
    const Faults& settings() const { return faults_; }
    // Replaces the settings; a changed seed restarts the fault sequence.
    void update(const Faults& faults);
    // How many faults of each kind were injected: {"error":N,"rate_limit":N,...}.
    const std::map<std::string, std::uint64_t>& injected() const { return injected_; }
    void reset_counts();

  private:
    // Seconds until the window has room again, or 0 when the request is let through.
    int over_rate_limit(std::chrono::steady_clock::time_point now);
    std::optional<FaultKind> commit_fault(unsigned& status);
    Faults faults_;
    std::mt19937_64 random_;
    // Its own sequence, so switching commit faults on leaves the others' unchanged.
    std::mt19937_64 commit_random_;
    std::deque<std::chrono::steady_clock::time_point> let_through_;  // within the last second
    std::map<std::string, std::uint64_t> injected_;
};

// A proxy's error page, as nginx sends it.
std::string html_error_page(unsigned status);

// {"latency_ms":0,"error_rate":0,...}
std::string faults_to_json(const Faults& faults);
// Applies the keys present in `json` to `base`; throws std::invalid_argument on
// malformed JSON, unknown keys, wrong types or rates outside [0, 1].
Faults faults_from_json(std::string_view json, Faults base);
// Throws std::invalid_argument unless every rate is in [0, 1], their sum is at
// most 1 and latency and rate limit are not negative.
void validate(const Faults& faults);

}  // namespace smartq::sandbox
