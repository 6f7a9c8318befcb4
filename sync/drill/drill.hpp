// The restore drill: start an empty sandbox, restore the whole replica into
// it, read it back and compare, stop the sandbox. Proof that a backup
// restores, without touching a real account. It composes the sandbox, a
// restore and a verification, so it sits above both: restore uses verify,
// and neither knows the drill. It answers `verify --drill`, hence its
// namespace.
#pragma once

#include <utility>

#include <sys/types.h>
#include <boost/asio/awaitable.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace smartq::sync::verify {

// A smartq-sandbox child process on a free port of 127.0.0.1, stopped
// (SIGTERM, then SIGKILL after a grace period) when destroyed.
class SandboxProcess {
  public:
    // Starts `program` with --size empty and the given credentials; waits
    // until it listens. Throws std::runtime_error with the sandbox's own
    // output when it does not start.
    SandboxProcess(const std::filesystem::path& program, const std::filesystem::path& work_dir,
                   const std::string& login, const std::string& password,
                   const std::string& api_key);
    ~SandboxProcess();
    SandboxProcess(const SandboxProcess&) = delete;
    SandboxProcess& operator=(const SandboxProcess&) = delete;

    unsigned port() const { return port_; }
    // SIGTERM and wait; returns the exit status as waitpid gives it.
    int stop();

  private:
    std::filesystem::path log_;
    pid_t pid_ = -1;
    unsigned port_ = 0;
};

struct DrillResult {
    std::vector<std::string> problems;     // objects the restore could not bring over
    std::vector<std::string> differences;  // what the read-back found different
    bool passed() const { return problems.empty() && differences.empty(); }
};

// Restores `source` into a fresh sandbox started from `sandbox_program`.
// `work_dir` holds the sandbox's files and the read-back; the caller removes it.
boost::asio::awaitable<DrillResult> run_drill(const config::AccountConfig& source,
                                              const std::filesystem::path& sandbox_program,
                                              const std::filesystem::path& work_dir);

}  // namespace smartq::sync::verify
