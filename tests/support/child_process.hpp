// A program run as a child process for tests: arguments, extra environment,
// stdout and stderr captured to files, waiting with a deadline, signals.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace smartq::test {

struct ExitStatus {
    int code = -1;   // the exit code, or -1 when a signal ended the process
    int signal = 0;  // the signal that ended it, or 0
};

class ChildProcess {
  public:
    // Starts `program` with `args` (without argv[0]). `env` entries "NAME=value"
    // are added to (or replace those of) this process's environment. Throws
    // std::runtime_error if the program cannot be started.
    ChildProcess(const std::filesystem::path& program, const std::vector<std::string>& args,
                 const std::vector<std::string>& env = {});
    // Kills (SIGKILL) and reaps a child that is still running.
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    // The exit status, or nullopt if the child still runs after `timeout`.
    std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
    void kill(int signal);
    bool running();

    std::string stdout_text() const;
    std::string stderr_text() const;

  private:
    bool reap(int options);
    TempDir output_;
    pid_t pid_ = -1;
    std::optional<ExitStatus> status_;
};

// The whole content of a file ("" if it does not exist).
std::string read_file(const std::filesystem::path& path);

}  // namespace smartq::test
