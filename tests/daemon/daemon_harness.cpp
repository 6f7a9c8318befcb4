#include "daemon_harness.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "store/replica.hpp"
#include "sync/resources.hpp"

namespace smartq::test {
namespace fs = std::filesystem;

NotifySocket::NotifySocket() {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    auto path = (dir_ / "notify").string();
    if (fd_ < 0 || path.size() >= sizeof(address.sun_path))
        throw std::runtime_error("cannot make a notify socket");
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        throw std::runtime_error("cannot bind the notify socket " + path + ": " +
                                 std::strerror(errno));
    }
    reader_ = std::thread([this] { receive(); });
}

NotifySocket::~NotifySocket() {
    closing_ = true;
    reader_.join();
    ::close(fd_);
}

void NotifySocket::receive() {
    while (!closing_) {
        pollfd ready{fd_, POLLIN, 0};
        if (::poll(&ready, 1, 50) <= 0)
            continue;
        char buffer[4096];
        auto n = ::recv(fd_, buffer, sizeof(buffer), 0);
        if (n <= 0)
            continue;
        std::istringstream message(std::string(buffer, static_cast<std::size_t>(n)));
        std::lock_guard lock(mutex_);
        for (std::string line; std::getline(message, line);)
            lines_.push_back(line);
        arrived_.notify_all();
    }
}

std::string NotifySocket::env() const {
    return "NOTIFY_SOCKET=" + (dir_ / "notify").string();
}

std::string NotifySocket::find(const std::function<bool(const std::string&)>& matches,
                               std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mutex_);
    while (true) {
        for (; cursor_ < lines_.size(); ++cursor_) {
            if (matches(lines_[cursor_]))
                return lines_[cursor_++];
        }
        if (arrived_.wait_until(lock, deadline) == std::cv_status::timeout &&
            cursor_ == lines_.size())
            return {};
    }
}

bool NotifySocket::wait_for(const std::string& line, std::chrono::milliseconds timeout) {
    return !find([&](const std::string& l) { return l == line; }, timeout).empty();
}

std::string NotifySocket::wait_for_prefix(const std::string& prefix,
                                          std::chrono::milliseconds timeout) {
    return find([&](const std::string& l) { return l.rfind(prefix, 0) == 0; }, timeout);
}

std::vector<std::string> secret_env() {
    return {"SQ_PASSWORD=sandbox-password", "SQ_BAD_PASSWORD=wrong-password", "SQ_KEY=sandbox-key"};
}

std::string config_text(const fs::path& data_dir, const std::vector<TestAccount>& accounts,
                        const std::string& top) {
    std::string text = "data_dir = \"" + data_dir.string() + "\"\ninterval = \"1s\"\n" + top + "\n";
    for (const auto& account : accounts) {
        text += "[accounts." + account.name +
                "]\nurl = \"http://127.0.0.1:" + std::to_string(account.port) +
                "\"\nlogin = \"admin@sandbox.test\"\npassword_env = \"" + account.password_env +
                "\"\napi_key_env = \"SQ_KEY\"\n";
    }
    return text;
}

void write_text(const fs::path& file, const std::string& text) {
    auto temp = file.string() + ".new";
    std::ofstream(temp) << text;
    fs::rename(temp, file);
}

std::vector<store::RunInfo> runs_of(const fs::path& data_dir, const std::string& account) {
    auto path = data_dir / account / "replica.db";
    if (!fs::exists(path))
        return {};
    try {
        auto replica = store::Replica::open(path, sync::table_specs(), store::Mode::ReadOnly);
        return replica.runs(1000);
    } catch (const std::exception&) {
        return {};  // being created right now
    }
}

std::size_t ok_runs(const fs::path& data_dir, const std::string& account) {
    std::size_t n = 0;
    for (const auto& run : runs_of(data_dir, account))
        n += run.status == store::RunStatus::Ok;
    return n;
}

void set_last_success(const fs::path& data_dir, const std::string& account,
                      const std::string& utc) {
    sqlite3* db = nullptr;
    auto path = (data_dir / account / "replica.db").string();
    auto sql =
        "UPDATE runs SET started_at = '" + utc + "', ended_at = '" + utc + "' WHERE status = 'ok'";
    bool done = sqlite3_open(path.c_str(), &db) == SQLITE_OK &&
                sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK;
    sqlite3_close(db);
    if (!done)
        throw std::runtime_error("cannot change the runs of " + path);
}

std::vector<std::string> integrity_problems(const fs::path& data_dir, const std::string& account) {
    auto replica = store::Replica::open(data_dir / account / "replica.db", sync::table_specs(),
                                        store::Mode::ReadOnly);
    return replica.integrity_check();
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

std::uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof(address);
    ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    ::close(fd);
    return ntohs(address.sin_port);
}

}  // namespace smartq::test
