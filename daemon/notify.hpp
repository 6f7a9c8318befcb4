// The service manager's notification protocol (sd_notify): READY=1, STATUS=,
// RELOADING=1, STOPPING=1 and the watchdog. Without NOTIFY_SOCKET (not run by
// systemd) every call does nothing.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace smartq::daemon {

class Notifier {
  public:
    void ready();
    void status(std::string_view text);
    // With MONOTONIC_USEC, as Type=notify-reload asks; READY=1 ends the reload.
    void reloading();
    void stopping();
    void watchdog();

    // How often to ping: half of WATCHDOG_USEC when the manager set it for us.
    static std::optional<std::chrono::microseconds> watchdog_period();
};

}  // namespace smartq::daemon
