#include "store/account_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace smartq::store {

AccountLock::AccountLock(const std::filesystem::path& file, const std::string& account) {
    fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) {
        throw StoreError("cannot open the lock file " + file.string() + ": " +
                         std::strerror(errno));
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        char holder[32] = {};
        auto n = ::pread(fd_, holder, sizeof holder - 1, 0);
        std::string pid = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : std::string{};
        while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
            pid.pop_back();
        ::close(fd_);
        fd_ = -1;
        throw LockBusy("account " + account + " is being synced by another process" +
                       (pid.empty() ? std::string{} : " (pid " + pid + ")") +
                       "; try again when it has finished");
    }
    auto pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0) {
        [[maybe_unused]] auto written = ::pwrite(fd_, pid.data(), pid.size(), 0);
    }
}

AccountLock::~AccountLock() {
    if (fd_ >= 0)
        ::close(fd_);  // closing releases the flock
}

}  // namespace smartq::store
