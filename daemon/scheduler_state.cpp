#include "daemon/scheduler_state.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>

namespace smartq::daemon {
namespace fs = std::filesystem;

fs::path schedule_file(const fs::path& account_dir) {
    return account_dir / "daemon-schedule";
}

std::string utc_text(std::chrono::system_clock::time_point time) {
    return fmt::format("{:%Y-%m-%d %H:%M:%S}", std::chrono::floor<std::chrono::seconds>(time));
}

std::optional<std::chrono::system_clock::time_point> parse_utc_text(const std::string& text) {
    std::tm tm{};
    char rest = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d %2d:%2d:%2d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &rest) != 6 ||
        text.size() != 19) {
        return std::nullopt;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    auto seconds = timegm(&tm);
    if (seconds == -1)
        return std::nullopt;
    return std::chrono::system_clock::from_time_t(seconds);
}

void write_scheduled_run(const fs::path& account_dir,
                         std::chrono::system_clock::time_point next_run) {
    fs::create_directories(account_dir);
    auto file = schedule_file(account_dir);
    auto temp = file;
    temp += ".tmp";
    {
        std::ofstream out(temp, std::ios::trunc);
        out << "next_run=" << utc_text(next_run) << "\npid=" << ::getpid() << "\n";
        if (!out.flush())
            throw fs::filesystem_error("cannot write the schedule", temp,
                                       std::error_code(errno, std::generic_category()));
    }
    fs::rename(temp, file);
}

void remove_scheduled_run(const fs::path& account_dir) {
    std::error_code ignored;
    fs::remove(schedule_file(account_dir), ignored);
}

namespace {

bool process_runs(pid_t pid) {
    return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

}  // namespace

std::optional<ScheduledRun> read_scheduled_run(const fs::path& account_dir) {
    std::ifstream in(schedule_file(account_dir));
    if (!in)
        return std::nullopt;
    ScheduledRun run;
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("next_run=", 0) == 0)
            run.next_run = line.substr(9);
        if (line.rfind("pid=", 0) == 0)
            run.pid = static_cast<pid_t>(std::atol(line.c_str() + 4));
    }
    if (!parse_utc_text(run.next_run) || !process_runs(run.pid))
        return std::nullopt;
    return run;
}

}  // namespace smartq::daemon
