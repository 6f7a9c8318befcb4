#include "support/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace smartq::test {
namespace {

std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
    std::vector<std::string> result(extra);
    for (char** entry = environ; *entry != nullptr; ++entry) {
        std::string_view current(*entry);
        auto name = current.substr(0, current.find('=') + 1);
        bool overridden = false;
        for (const auto& added : extra) {
            overridden = overridden || added.rfind(name, 0) == 0;
        }
        if (!overridden) {
            result.emplace_back(current);
        }
    }
    return result;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> result;
    for (auto& text : strings) {
        result.push_back(text.data());
    }
    result.push_back(nullptr);
    return result;
}

}  // namespace

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

ChildProcess::ChildProcess(const std::filesystem::path& program,
                           const std::vector<std::string>& args,
                           const std::vector<std::string>& env) {
    std::vector<std::string> argv{program.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto envp = merged_environment(env);
    auto argv_pointers = pointers(argv);
    auto envp_pointers = pointers(envp);

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    const auto out = (output_ / "stdout").string();
    const auto err = (output_ / "stderr").string();
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    // The child starts with default signal dispositions and an empty mask, even
    // if the test runner blocked or ignored some.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    const int error = posix_spawn(&pid_, argv[0].c_str(), &actions, &attributes,
                                  argv_pointers.data(), envp_pointers.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    if (error != 0) {
        pid_ = -1;
        throw std::runtime_error("cannot start " + program.string() + ": " + std::strerror(error));
    }
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !status_) {
        ::kill(pid_, SIGKILL);
        reap(0);
    }
}

bool ChildProcess::reap(int options) {
    if (status_) {
        return true;
    }
    int raw = 0;
    pid_t reaped;
    do {
        reaped = ::waitpid(pid_, &raw, options);
    } while (reaped < 0 && errno == EINTR);
    if (reaped != pid_) {
        return false;
    }
    ExitStatus status;
    if (WIFEXITED(raw)) {
        status.code = WEXITSTATUS(raw);
    } else if (WIFSIGNALED(raw)) {
        status.signal = WTERMSIG(raw);
    }
    status_ = status;
    return true;
}

std::optional<ExitStatus> ChildProcess::wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!reap(WNOHANG)) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return status_;
}

void ChildProcess::kill(int signal) {
    if (!status_) {
        ::kill(pid_, signal);
    }
}

bool ChildProcess::running() {
    return !reap(WNOHANG);
}

std::string ChildProcess::stdout_text() const {
    return read_file(output_ / "stdout");
}

std::string ChildProcess::stderr_text() const {
    return read_file(output_ / "stderr");
}

}  // namespace smartq::test
