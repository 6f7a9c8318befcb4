#include "daemon/notify.hpp"

#include <fmt/format.h>
#include <systemd/sd-daemon.h>

#include <ctime>
#include <string>

namespace smartq::daemon {

void Notifier::ready() {
    sd_notify(0, "READY=1");
}

void Notifier::status(std::string_view text) {
    // One line: the manager reads the datagram as newline-separated assignments.
    std::string line(text);
    for (auto& c : line) {
        if (c == '\n')
            c = ' ';
    }
    sd_notify(0, ("STATUS=" + line).c_str());
}

void Notifier::reloading() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    auto usec = static_cast<long long>(now.tv_sec) * 1000000LL + now.tv_nsec / 1000;
    sd_notify(0, fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec).c_str());
}

void Notifier::stopping() {
    sd_notify(0, "STOPPING=1");
}

void Notifier::watchdog() {
    sd_notify(0, "WATCHDOG=1");
}

std::optional<std::chrono::microseconds> Notifier::watchdog_period() {
    std::uint64_t usec = 0;
    // unset_environment = 0: children (none) and later calls see the same.
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
        return std::nullopt;
    return std::chrono::microseconds(usec / 2);
}

}  // namespace smartq::daemon
