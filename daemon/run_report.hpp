// One past run as the commands show it: JSON for scripts, short text for
// people. status, runs and sync --json share these so they never disagree.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "store/run_log.hpp"

namespace smartq::wire {
class JsonWriter;
}

namespace smartq::daemon {

// What an account's replica says of its recent runs (the last 50).
struct RunHistory {
    std::optional<store::RunInfo> latest;         // perhaps still running
    std::optional<store::RunInfo> last_finished;  // a run in progress says nothing yet
    std::optional<store::RunInfo> last_success;
};
// Empty while the account has no replica.
RunHistory read_history(const config::AccountConfig& account);

void write_run(wire::JsonWriter& json, const store::RunInfo& run);

// Records the run stored or found unchanged, over all resources.
std::int64_t total_records(const store::RunInfo& run);
// "+12 ~3 -1": inserted, updated and deleted records over all resources.
std::string change_counts(const store::RunInfo& run);
// The first reason the run did not succeed, saying how many more there are;
// "" for a clean run.
std::string first_problem(const store::RunInfo& run);
// From start to end; nullopt while the run has no end.
std::optional<std::chrono::seconds> run_duration(const store::RunInfo& run);
// "1h 02m", "3m 05s", "12s".
std::string human_duration(std::chrono::seconds duration);
// The replica's UTC time text with its zone: "2026-12-02 05:00:00 UTC".
std::string with_zone(std::string_view utc_text);
// "1 run", "2 runs".
std::string count_of(std::int64_t n, std::string_view singular, std::string_view plural);

}  // namespace smartq::daemon
