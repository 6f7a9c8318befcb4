#include "sync/restore/passwords.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace smartq::sync::restore {
namespace {

std::string read_password_file(const std::filesystem::path& file) {
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0)
        throw std::runtime_error("cannot read the user password file " + file.string() + ": " +
                                 std::strerror(errno));
    if (info.st_mode & (S_IRWXG | S_IRWXO))
        throw std::runtime_error("the user password file " + file.string() +
                                 " can be read by others; chmod 600 it");
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    if (line.empty())
        throw std::runtime_error("the user password file " + file.string() + " is empty");
    return line;
}

// Appends with O_CREAT 0600 and refuses a file others could already read:
// the file holds live credentials.
void append_private(const std::filesystem::path& file, const std::string& line) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        throw std::runtime_error("cannot write the passwords file " + file.string() + ": " +
                                 std::strerror(errno));
    struct stat info {};
    bool private_file = ::fstat(fd, &info) == 0 && !(info.st_mode & (S_IRWXG | S_IRWXO));
    bool written =
        private_file && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    bool synced = written && ::fsync(fd) == 0;
    ::close(fd);
    if (!private_file)
        throw std::runtime_error("the passwords file " + file.string() +
                                 " can be read by others; refusing to write passwords into it");
    if (!synced)
        throw std::runtime_error("cannot write the passwords file " + file.string());
}

}  // namespace

std::string generate_password(std::size_t length) {
    static constexpr std::string_view alphabet =
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    std::string bytes(length, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(length)) != 1)
        throw std::runtime_error("the random generator failed");
    std::string out;
    for (unsigned char b : bytes)
        out += alphabet[b % alphabet.size()];
    return out;
}

UserPasswords::UserPasswords(std::optional<std::filesystem::path> from_file,
                             std::optional<std::filesystem::path> out_file)
    : out_file_(std::move(out_file)) {
    if (from_file)
        shared_ = read_password_file(*from_file);
}

std::string UserPasswords::password_for(std::string_view email) {
    if (shared_)
        return *shared_;
    auto password = generate_password();
    if (out_file_)
        append_private(*out_file_, std::string(email) + "\t" + password + "\n");
    generated_.push_back({std::string(email), password});
    return password;
}

}  // namespace smartq::sync::restore
