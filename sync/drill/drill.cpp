#include "sync/drill/drill.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "sync/restore/restore.hpp"

extern char** environ;

namespace smartq::sync::verify {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string read_all(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

// Waits for the child for up to `timeout`; returns its waitpid status, or -1.
int wait_for(pid_t pid, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline)
            return -1;
        std::this_thread::sleep_for(10ms);
    }
    return status;
}

// A throwaway secret for a sandbox that lives for one drill.
std::string random_hex(std::size_t bytes) {
    std::random_device random;
    std::string out;
    for (std::size_t i = 0; i < bytes; ++i)
        out += fmt::format("{:02x}", random() & 0xff);
    return out;
}

}  // namespace

SandboxProcess::SandboxProcess(const fs::path& program, const fs::path& work_dir,
                               const std::string& login, const std::string& password,
                               const std::string& api_key)
    : log_(work_dir / "sandbox.log") {
    auto port_file = work_dir / "sandbox.port";
    std::vector<std::string> args{
        program.string(), "--port",    "0",       "--port-file", port_file.string(),
        "--size",         "empty",     "--login", login,         "--password",
        password,         "--api-key", api_key,   "--log-level", "warn"};
    std::vector<char*> argv;
    for (auto& arg : args)
        argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    int error = ::posix_spawn(&pid_, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error != 0) {
        throw std::runtime_error(
            fmt::format("cannot start the sandbox {}: {}", program.string(), std::strerror(error)));
    }
    // It writes the port file once it listens.
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (port_ == 0) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("the sandbox " + program.string() +
                                     " exited at start: " + read_all(log_));
        }
        if (auto text = read_all(port_file); !text.empty() && text.back() == '\n')
            port_ = std::stoul(text);
        else if (std::chrono::steady_clock::now() > deadline) {
            stop();
            throw std::runtime_error("the sandbox " + program.string() +
                                     " did not start listening within 20 s");
        } else {
            std::this_thread::sleep_for(10ms);
        }
    }
}

SandboxProcess::~SandboxProcess() {
    if (pid_ > 0)
        stop();
}

int SandboxProcess::stop() {
    if (pid_ <= 0)
        return 0;
    ::kill(pid_, SIGTERM);
    int status = wait_for(pid_, 5s);
    if (status == -1) {
        spdlog::warn("the drill's sandbox did not stop on SIGTERM; killing it");
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    return status;
}

boost::asio::awaitable<DrillResult> run_drill(const config::AccountConfig& source,
                                              const fs::path& sandbox_program,
                                              const fs::path& work_dir) {
    fs::create_directories(work_dir);
    config::AccountConfig target;
    target.name = "verify-drill";
    target.login = "drill@smartq-backup.invalid";
    target.password = config::Secret(random_hex(16));
    target.api_key = config::Secret(random_hex(16));
    target.concurrency = source.concurrency;
    target.data_dir = work_dir / "target";
    SandboxProcess sandbox(sandbox_program, work_dir, target.login, target.password.reveal(),
                           target.api_key.reveal());
    target.url = fmt::format("http://127.0.0.1:{}", sandbox.port());
    spdlog::info("{}: drill: restoring into an empty sandbox at {}", source.name, target.url);
    // The restore verifies what it wrote by reading the sandbox back (verify_against).
    restore::RestoreOptions
        whole_account;  // constructed apart: g++ 12 double-frees a braced temporary
    auto report = co_await restore::restore_account(source, target, whole_account);
    sandbox.stop();
    DrillResult result;
    result.problems = std::move(report.problems);
    result.differences = std::move(report.differences);
    co_return result;
}

}  // namespace smartq::sync::verify
