#include "config/file_access.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace smartq::config {
namespace {

[[noreturn]] void cannot_read(const std::filesystem::path& path, std::string_view why) {
    throw std::invalid_argument("cannot read " + path.string() + ": " + std::string(why));
}

class OpenFile {
  public:
    explicit OpenFile(const std::filesystem::path& path)
        : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)) {
        if (fd_ < 0) {
            cannot_read(path, std::strerror(errno));
        }
        if (::fstat(fd_, &status_) != 0) {
            int error = errno;
            ::close(fd_);
            cannot_read(path, std::strerror(error));
        }
        if (!S_ISREG(status_.st_mode)) {
            ::close(fd_);
            cannot_read(path, "not a regular file");
        }
    }
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;
    ~OpenFile() { ::close(fd_); }

    int fd() const { return fd_; }
    const struct stat& status() const { return status_; }

  private:
    int fd_;
    struct stat status_ {};
};

}  // namespace

FileContents read_small_file(const std::filesystem::path& path, std::size_t limit) {
    OpenFile file(path);
    if (static_cast<std::size_t>(file.status().st_size) > limit) {
        cannot_read(path, "larger than " + std::to_string(limit) + " bytes");
    }
    FileContents contents{{}, static_cast<std::filesystem::perms>(file.status().st_mode & 07777)};
    contents.bytes.resize(static_cast<std::size_t>(file.status().st_size));
    std::size_t filled = 0;
    while (filled < contents.bytes.size()) {
        auto n = ::read(file.fd(), contents.bytes.data() + filled, contents.bytes.size() - filled);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            cannot_read(path, std::strerror(errno));
        }
        if (n == 0) {
            break;
        }
        filled += static_cast<std::size_t>(n);
    }
    contents.bytes.resize(filled);
    return contents;
}

void check_readable_file(const std::filesystem::path& path) {
    OpenFile file(path);
}

bool readable_by_others(std::filesystem::perms permissions) {
    using std::filesystem::perms;
    return (permissions & (perms::group_read | perms::others_read)) != perms::none;
}

}  // namespace smartq::config
