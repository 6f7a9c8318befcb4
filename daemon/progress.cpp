#include "daemon/progress.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "daemon/run_report.hpp"

namespace smartq::daemon {
namespace asio = boost::asio;

std::string human_bytes(std::uint64_t bytes) {
    static constexpr const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

ProgressDisplay::ProgressDisplay(asio::any_io_executor executor, std::string account, bool live)
    : timer_(executor), account_(std::move(account)), live_(live) {}

ProgressDisplay::~ProgressDisplay() {
    timer_.cancel();
}

void ProgressDisplay::attach(const sync::SyncRun& run) {
    run_ = &run;
    if (live_)
        schedule();
}

void ProgressDisplay::detach() {
    timer_.cancel();
    if (run_)
        last_ = run_->progress();
    run_ = nullptr;
}

void ProgressDisplay::schedule() {
    timer_.expires_after(std::chrono::milliseconds(250));
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec || !run_)
            return;
        draw();
        schedule();
    });
}

void ProgressDisplay::draw() {
    const auto& p = run_->progress();
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    auto records = p.total_records();
    auto line = fmt::format("\r\033[K{}: {}, {}, {}, {}, {:.0f} records/s", account_, p.current,
                            count_of(records, "record", "records"),
                            count_of(p.attachments, "attachment", "attachments"),
                            human_bytes(p.attachment_bytes),
                            seconds > 0 ? static_cast<double>(records) / seconds : 0.0);
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
}

void ProgressDisplay::finish(const std::string& outcome) {
    detach();
    if (live_)
        std::fprintf(stderr, "\r\033[K");
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    for (const auto& [name, c] : last_.records) {
        spdlog::info("{}: {}: {} new, {} changed, {} unchanged, {} marked deleted", account_, name,
                     c.inserted, c.updated, c.unchanged, c.deleted);
    }
    spdlog::info("{}: {} in {:.1f} s: {}, {} downloaded ({})", account_, outcome, seconds,
                 count_of(last_.total_records(), "record", "records"),
                 count_of(last_.attachments, "attachment", "attachments"),
                 human_bytes(last_.attachment_bytes));
}

}  // namespace smartq::daemon
