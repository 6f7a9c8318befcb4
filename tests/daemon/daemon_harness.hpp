// What the daemon's program tests share: a NOTIFY_SOCKET to read, a
// configuration for in-process sandboxes, and a look into the replicas.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/run_log.hpp"
#include "support/temp_dir.hpp"

namespace smartq::test {

// A unix datagram socket standing in for the service manager's. A thread
// reads it all the time, as systemd does: a full queue would block the
// daemon's sd_notify.
class NotifySocket {
  public:
    NotifySocket();
    ~NotifySocket();
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    std::string env() const;  // "NOTIFY_SOCKET=<path>"
    // Waits for a message holding the line `line` after the last one found;
    // true when it came within `timeout`.
    bool wait_for(const std::string& line, std::chrono::milliseconds timeout);
    // A message holding a line that starts with `prefix`, after the last found.
    std::string wait_for_prefix(const std::string& prefix, std::chrono::milliseconds timeout);

  private:
    std::string find(const std::function<bool(const std::string&)>& matches,
                     std::chrono::milliseconds timeout);
    void receive();
    TempDir dir_;
    int fd_ = -1;
    std::mutex mutex_;
    std::condition_variable arrived_;
    std::vector<std::string> lines_;
    std::size_t cursor_ = 0;
    std::atomic<bool> closing_{false};
    std::thread reader_;
};

struct TestAccount {
    std::string name;
    std::uint16_t port;
    std::string password_env = "SQ_PASSWORD";  // SQ_BAD_PASSWORD: a refused login
};

// The environment the secrets of config_text() come from.
std::vector<std::string> secret_env();

// A configuration with interval = "1s" and `top` lines added at the top level.
std::string config_text(const std::filesystem::path& data_dir,
                        const std::vector<TestAccount>& accounts, const std::string& top = "");
void write_text(const std::filesystem::path& file, const std::string& text);

// The runs of an account's replica, newest first; empty while it has none.
std::vector<store::RunInfo> runs_of(const std::filesystem::path& data_dir,
                                    const std::string& account);
std::size_t ok_runs(const std::filesystem::path& data_dir, const std::string& account);
// Moves the end of the account's successful runs to `utc` ('YYYY-MM-DD HH:MM:SS').
void set_last_success(const std::filesystem::path& data_dir, const std::string& account,
                      const std::string& utc);
std::vector<std::string> integrity_problems(const std::filesystem::path& data_dir,
                                            const std::string& account);

// Polls `done` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout);

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t free_port();

}  // namespace smartq::test
