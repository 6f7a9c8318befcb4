#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace smartq::store {

using RunId = std::int64_t;

enum class RunKind { Full, Incremental, Deep };
enum class RunStatus { Running, Ok, Partial, Failed, Interrupted };

std::string_view to_string(RunKind kind);             // "full", "incremental", "deep"
std::string_view to_string(RunStatus status);         // "running", "ok", ...
RunKind run_kind_from_string(std::string_view text);  // throws StoreError on unknown text
RunStatus run_status_from_string(std::string_view text);

struct RecordCounts {
    std::int64_t inserted = 0;
    std::int64_t updated = 0;
    std::int64_t unchanged = 0;
    std::int64_t deleted = 0;
    bool operator==(const RecordCounts&) const = default;
};

// What finish_run records; `records` is keyed by resource name.
struct RunSummary {
    RunStatus status = RunStatus::Ok;
    std::int64_t requests = 0;
    std::int64_t bytes = 0;
    std::map<std::string, RecordCounts> records;
    std::string error;  // empty: none
    // Every reason the run is partial (the first is usually `error`), and what it found that
    // does not make it partial but the owner must know (private notes the login cannot see).
    std::vector<std::string> problems;
    std::vector<std::string> notices;
};

struct RunInfo {
    RunId id = 0;
    std::string account;
    RunKind kind = RunKind::Full;
    std::string started_at;
    std::optional<std::string> ended_at;
    RunStatus status = RunStatus::Running;
    std::int64_t requests = 0;
    std::int64_t bytes = 0;
    std::map<std::string, RecordCounts> records;
    std::string error;
    std::vector<std::string> problems;  // all of them, in the order found
    std::vector<std::string> notices;
};

}  // namespace smartq::store
