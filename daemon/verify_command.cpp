// `verify`: the offline health check of each replica, or with --drill a
// restore of it into an empty local sandbox, read back and compared; as text
// or, with --json, one JSON array with an object per account.
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
#include "sync/wire/json_writer.hpp"

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

// One account's result, for the text and the --json output alike.
struct Verdict {
    std::string account;
    bool drill = false;
    std::vector<std::string> problems;     // damage; in a drill: objects not restored
    std::vector<std::string> differences;  // a drill's read-back findings
    std::vector<std::string> notices;      // harmless
    std::size_t bodies_checked = 0;
    bool passed() const { return problems.empty() && differences.empty(); }
    int code() const { return passed() ? kOk : kDataError; }
};

Verdict check(const config::AccountConfig& account) {
    auto health =
        sync::verify::check_replica(sync::replica_path(account), sync::blobs_path(account));
    Verdict verdict;
    verdict.account = account.name;
    verdict.problems = std::move(health.problems);
    verdict.notices = std::move(health.notices);
    verdict.bodies_checked = health.bodies_checked;
    return verdict;
}

Verdict drill(const config::AccountConfig& account, const fs::path& sandbox) {
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
    Verdict verdict;
    verdict.account = account.name;
    verdict.drill = true;
    verdict.problems = std::move(result.problems);
    verdict.differences = std::move(result.differences);
    return verdict;
}

void print_text(const Verdict& v) {
    if (v.drill && v.passed()) {
        std::printf(
            "%s: drill passed: the replica restores into an empty account and reads back equal\n",
            v.account.c_str());
    } else if (v.drill) {
        std::printf("%s: drill failed: %zu objects not restored, %zu differences\n",
                    v.account.c_str(), v.problems.size(), v.differences.size());
        print_list("not restored: ", v.problems);
        print_list("", v.differences);
    } else if (v.passed()) {
        std::printf("%s: ok: integrity and foreign keys checked, %zu file bodies re-hashed\n",
                    v.account.c_str(), v.bodies_checked);
    } else {
        std::printf("%s: %zu problems\n", v.account.c_str(), v.problems.size());
        print_list("", v.problems);
    }
    print_list("info: ", v.notices);
}

void write_strings(wire::JsonWriter& json, std::string_view key,
                   const std::vector<std::string>& items) {
    json.key(key).begin_array();
    for (const auto& item : items)
        json.value(item);
    json.end_array();
}

void write_json(wire::JsonWriter& json, const Verdict& v) {
    json.begin_object().key("account").value(v.account);
    json.key("kind").value(v.drill ? "drill" : "check").key("passed").value(v.passed());
    json.key("exit_code").value(v.code());
    if (!v.drill)
        json.key("bodies_checked").value(static_cast<std::int64_t>(v.bodies_checked));
    write_strings(json, v.drill ? "not_restored" : "problems", v.problems);
    if (v.drill)
        write_strings(json, "differences", v.differences);
    write_strings(json, "notices", v.notices);
    json.end_object();
}

}  // namespace

int run_verify(const config::Config& config, const VerifyArgs& args) {
    std::vector<std::string> names;
    if (!args.account.empty())
        names.push_back(args.account);
    auto accounts = select_accounts(config, names);
    auto sandbox = args.drill ? find_sandbox() : fs::path();
    int code = kOk;
    std::string text;
    wire::JsonWriter json(text);
    json.begin_array();
    for (const auto* account : accounts) {
        auto verdict = args.drill ? drill(*account, sandbox) : check(*account);
        code = worse(code, verdict.code());
        if (args.json) {
            write_json(json, verdict);
        } else {
            print_text(verdict);
            std::fflush(stdout);
        }
    }
    json.end_array();
    if (args.json)
        std::puts(text.c_str());
    return code;
}

}  // namespace smartq::daemon
