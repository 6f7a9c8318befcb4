// The daemon's next planned run of an account, kept in a small file in the
// account's data directory so that `status` (another process) can show it:
// <data_dir>/<account>/daemon-schedule holding "next_run=YYYY-MM-DD HH:MM:SS"
// (UTC) and "pid=N" lines.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace smartq::daemon {

struct ScheduledRun {
    std::string next_run;  // UTC, YYYY-MM-DD HH:MM:SS
    pid_t pid = 0;         // the daemon that planned it
};

std::filesystem::path schedule_file(const std::filesystem::path& account_dir);
// Replaces the file atomically (temp file + rename) with this process as the planner.
void write_scheduled_run(const std::filesystem::path& account_dir,
                         std::chrono::system_clock::time_point next_run);
void remove_scheduled_run(const std::filesystem::path& account_dir);
// The planned run, or nullopt when there is no file, it is malformed, or the
// daemon that wrote it no longer runs.
std::optional<ScheduledRun> read_scheduled_run(const std::filesystem::path& account_dir);

// "YYYY-MM-DD HH:MM:SS" in UTC, as the runs table writes it.
std::string utc_text(std::chrono::system_clock::time_point time);
// The inverse of utc_text; nullopt for any other text.
std::optional<std::chrono::system_clock::time_point> parse_utc_text(const std::string& text);

}  // namespace smartq::daemon
