// Transport faults the sandbox injects into /api/v1 answers so that a client's
// retry, back-off and resume logic can be exercised deterministically.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>

namespace smartq::sandbox {

struct Faults {
    int latency_ms = 0;        // added before every answer
    double error_rate = 0;     // share of requests answered 500/502/503 with an HTML body
    int rate_limit = 0;        // > 0: more than this many requests in a second get 429
    double drop_rate = 0;      // share of connections closed without an answer
    double truncate_rate = 0;  // share of answers cut short after the headers
    std::uint64_t seed = 1;    // the fault sequence is a function of this seed
    // Answered 403 every time, as a permission the administrator lacks would be, e.g.
    // "GET /projects/{id}/tickets/{id}/tasks" (the route templates of the statistics).
    std::string forbidden_route;
};

enum class FaultKind { None, Error, RateLimited, Drop, Truncate };

struct FaultDecision {
    FaultKind kind = FaultKind::None;
    std::chrono::milliseconds latency{0};
    unsigned error_status = 0;  // Error only: 500, 502 or 503
};

// Decides, request by request, which fault (if any) to inject. The rates are
// exact in the long run because one uniform draw picks among them.
class FaultInjector {
  public:
    explicit FaultInjector(const Faults& faults);

    FaultDecision decide(std::chrono::steady_clock::time_point now);
    const Faults& settings() const { return faults_; }
    // Replaces the settings; a changed seed restarts the fault sequence.
    void update(const Faults& faults);
    // How many faults of each kind were injected: {"error":N,"rate_limit":N,...}.
    const std::map<std::string, std::uint64_t>& injected() const { return injected_; }
    void reset_counts();

  private:
    bool over_rate_limit(std::chrono::steady_clock::time_point now);
    Faults faults_;
    std::mt19937_64 random_;
    std::chrono::steady_clock::time_point window_start_{};
    int window_count_ = 0;
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
