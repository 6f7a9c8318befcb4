// `verify`: the offline health check of each replica, or with --drill a
// restore of it into an empty local sandbox, read back and compared.
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>
#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string_view>

#include "daemon/commands.hpp"
#include "daemon/exit_codes.hpp"
#include "sync/account_sync.hpp"
#include "sync/drill/drill.hpp"
#include "sync/verify/replica_check.hpp"

namespace smartq::daemon {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

// Beside this program (a build directory), in the libexec directory of its
// install prefix (a package: /usr/bin and /usr/libexec/smartq-backup), else
// on PATH.
fs::path find_sandbox() {
    constexpr std::string_view kName = "smartq-sandbox";
    std::error_code error;
    auto self = fs::read_symlink("/proc/self/exe", error);
    if (!error) {
        auto bin = self.parent_path();
        for (auto dir : {bin, bin.parent_path() / "libexec" / "smartq-backup"}) {
            if (::access((dir / kName).c_str(), X_OK) == 0)
                return dir / kName;
        }
    }
    if (const char* path = std::getenv("PATH")) {
        std::string_view dirs(path);
        while (!dirs.empty()) {
            auto end = dirs.find(':');
            fs::path candidate = fs::path(dirs.substr(0, end)) / kName;
            if (::access(candidate.c_str(), X_OK) == 0)
                return candidate;
            dirs = end == std::string_view::npos ? std::string_view() : dirs.substr(end + 1);
        }
    }
    const char* path = std::getenv("PATH");
    throw ProgramMissing(
        "verify --drill needs the smartq-sandbox program; it is not in " +
        (error ? std::string("the directory of smartq-backup")
               : self.parent_path().string() + ", " +
                     (self.parent_path().parent_path() / "libexec" / "smartq-backup").string()) +
        " nor in PATH (" + (path ? path : "unset") + ")");
}

// A fresh private directory for one drill, removed when done.
class ScratchDir {
  public:
    ScratchDir() {
        auto pattern = (fs::temp_directory_path() / "smartq-drill-XXXXXX").string();
        if (!::mkdtemp(pattern.data()))
            throw std::runtime_error("cannot create a directory for the drill in " +
                                     fs::temp_directory_path().string());
        path_ = pattern;
    }
    ~ScratchDir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

void print_list(std::string_view prefix, const std::vector<std::string>& items) {
    for (const auto& item : items)
        std::printf("  %.*s%s\n", static_cast<int>(prefix.size()), prefix.data(), item.c_str());
}

int check(const config::AccountConfig& account) {
    auto health =
        sync::verify::check_replica(sync::replica_path(account), sync::blobs_path(account));
    if (health.healthy()) {
        std::printf("%s: ok: integrity and foreign keys checked, %zu file bodies re-hashed\n",
                    account.name.c_str(), health.bodies_checked);
    } else {
        std::printf("%s: %zu problems\n", account.name.c_str(), health.problems.size());
        print_list("", health.problems);
    }
    print_list("info: ", health.notices);
    return health.healthy() ? kOk : kDataError;
}

int drill(const config::AccountConfig& account, const fs::path& sandbox) {
    ScratchDir scratch;
    asio::io_context io;
    sync::verify::DrillResult result;
    std::exception_ptr failure;
    asio::co_spawn(io, sync::verify::run_drill(account, sandbox, scratch.path()),
                   [&](std::exception_ptr error, sync::verify::DrillResult drilled) {
                       failure = error;
                       result = std::move(drilled);
                   });
    io.run();
    if (failure)
        std::rethrow_exception(failure);
    if (result.passed()) {
        std::printf(
            "%s: drill passed: the replica restores into an empty account and reads back equal\n",
            account.name.c_str());
        return kOk;
    }
    std::printf("%s: drill failed: %zu objects not restored, %zu differences\n",
                account.name.c_str(), result.problems.size(), result.differences.size());
    print_list("not restored: ", result.problems);
    print_list("", result.differences);
    return kDataError;
}

}  // namespace

int run_verify(const config::Config& config, const VerifyArgs& args) {
    std::vector<std::string> names;
    if (!args.account.empty())
        names.push_back(args.account);
    auto accounts = select_accounts(config, names);
    auto sandbox = args.drill ? find_sandbox() : fs::path();
    int code = kOk;
    for (const auto* account : accounts) {
        code = worse(code, args.drill ? drill(*account, sandbox) : check(*account));
        std::fflush(stdout);
    }
    return code;
}

}  // namespace smartq::daemon
