#include "store/blob_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "store/sha256.hpp"

namespace smartq::store {

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail_io(int error, std::string_view doing, const fs::path& path) {
    if (error == ENOSPC) {
        throw BlobError(fmt::format("disk full while {} {}", doing, path.string()));
    }
    if (error == EDQUOT) {
        throw BlobError(fmt::format("disk quota exceeded while {} {}", doing, path.string()));
    }
    throw BlobError(fmt::format("failed {} {}: {}", doing, path.string(), std::strerror(error)));
}

// Whether the file at `path` holds a body whose SHA-256 is `sha256`.
bool holds_body(const fs::path& path, std::string_view sha256) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return false;
    }
    Sha256 digest;
    std::array<char, 64 * 1024> buffer;
    while (file.read(buffer.data(), buffer.size()) || file.gcount() > 0) {
        digest.update(std::span(buffer.data(), static_cast<std::size_t>(file.gcount())));
    }
    return !file.bad() && digest.hex_digest() == sha256;
}

bool is_sha256_hex(std::string_view text) {
    return text.size() == 64 && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

struct BlobWriter::State {
    fs::path root;
    fs::path temp;
    int fd = -1;
    Sha256 digest;
    std::uint64_t size = 0;
    bool failed = false;
    const FailAfterBytes* faults = nullptr;
    bool* unsynced = nullptr;

    ~State() {
        if (fd >= 0) {
            ::close(fd);
        }
        discard();
    }

    void discard() {
        if (!temp.empty()) {
            std::error_code ignored;
            fs::remove(temp, ignored);
        }
        failed = true;
    }

    void write_all(const char* bytes, std::size_t count) {
        while (count > 0) {
            ssize_t written = ::write(fd, bytes, count);
            if (written < 0) {
                if (errno == EINTR) {
                    continue;
                }
                failed = true;
                fail_io(errno, "writing", temp);
            }
            bytes += written;
            count -= static_cast<std::size_t>(written);
        }
    }
};

BlobWriter::BlobWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}
BlobWriter::BlobWriter(BlobWriter&&) noexcept = default;
BlobWriter::~BlobWriter() = default;

void BlobWriter::write(std::span<const char> bytes) {
    if (state_->failed || state_->fd < 0) {
        throw BlobError(fmt::format("cannot write {}: the writer failed or was committed",
                                    state_->temp.string()));
    }
    std::size_t allowed = bytes.size();
    const auto* faults = state_->faults;
    bool inject = faults && state_->size + bytes.size() > faults->bytes();
    if (inject) {
        allowed = static_cast<std::size_t>(faults->bytes() - std::min(state_->size, faults->bytes()));
    }
    state_->write_all(bytes.data(), allowed);
    state_->digest.update(bytes.first(allowed));
    state_->size += allowed;
    if (inject) {
        state_->failed = true;
        fail_io(ENOSPC, "writing", state_->temp);
    }
}

BlobId BlobWriter::commit(std::optional<std::uint64_t> expected_size) {
    auto& state = *state_;
    if (state.failed || state.fd < 0) {
        throw BlobError(fmt::format("cannot commit {}: the writer failed or was committed",
                                    state.temp.string()));
    }
    int fd = std::exchange(state.fd, -1);
    if (::close(fd) != 0) {
        state.failed = true;
        fail_io(errno, "closing", state.temp);
    }
    if (expected_size && *expected_size != state.size) {
        state.discard();
        throw BlobError(fmt::format("the body written to {} has {} bytes where {} were expected",
                                    state.temp.string(), state.size, *expected_size));
    }
    BlobId id{state.digest.hex_digest(), state.size};
    auto directory = state.root / id.sha256.substr(0, 2);
    std::error_code error;
    fs::create_directory(directory, error);
    if (error) {
        fail_io(error.value(), "creating the directory", directory);
    }
    auto target = directory / id.sha256;
    bool named = fs::exists(target);
    if (named && holds_body(target, id.sha256)) {
        spdlog::debug("blob {} is already stored", id.sha256);
        state.discard();
    } else {
        if (named) {
            spdlog::warn(
                "the stored blob {} differs from its name (left by a power loss?); "
                "replacing it",
                target.string());
        }
        if (::rename(state.temp.c_str(), target.c_str()) != 0) {
            fail_io(errno, "moving a blob to", target);
        }
        state.temp.clear();
    }
    // The body in place, stored now or by a run that never synced it, awaits the next sync.
    *state.unsynced = true;
    return id;
}

BlobStore::BlobStore(fs::path root) : root_(std::move(root)) {
    std::error_code error;
    fs::create_directories(root_ / "tmp", error);
    if (error) {
        fail_io(error.value(), "creating the blob directory", root_ / "tmp");
    }
    root_fd_ = ::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (root_fd_ < 0) {
        fail_io(errno, "opening the blob directory", root_);
    }
}

BlobStore::~BlobStore() {
    ::close(root_fd_);
}

void BlobStore::sync() {
    if (!std::exchange(unsynced_, false)) {
        return;
    }
    int error = 0;
    if (sync_faults_ && sync_faults_->fails()) {
        error = EIO;
    } else if (::syncfs(root_fd_) != 0) {
        error = errno;
    }
    if (error != 0) {
        unsynced_ = true;
        fail_io(error, "syncing the file system of", root_);
    }
}

BlobWriter BlobStore::begin() {
    auto state = std::make_unique<BlobWriter::State>();
    state->root = root_;
    state->faults = faults_;
    state->unsynced = &unsynced_;
    std::string pattern = (root_ / "tmp" / "blob-XXXXXX").string();
    state->fd = ::mkstemp(pattern.data());
    if (state->fd < 0) {
        fail_io(errno, "creating a temp file in", root_ / "tmp");
    }
    state->temp = pattern;
    return BlobWriter(std::move(state));
}

bool BlobStore::has(std::string_view sha256) const {
    return fs::exists(path_of(sha256));
}

fs::path BlobStore::path_of(std::string_view sha256) const {
    if (!is_sha256_hex(sha256)) {
        throw BlobError(fmt::format("'{}' is not a SHA-256 in lowercase hex", sha256));
    }
    return root_ / sha256.substr(0, 2) / sha256;
}

bool BlobStore::verify(std::string_view sha256) const {
    return holds_body(path_of(sha256), sha256);
}

std::size_t BlobStore::remove_stale_temps() {
    std::size_t removed = 0;
    for (const auto& entry : fs::directory_iterator(root_ / "tmp")) {
        std::error_code error;
        if (fs::remove(entry.path(), error)) {
            ++removed;
        } else if (error) {
            spdlog::warn("cannot remove the stale temp file {}: {}", entry.path().string(),
                         error.message());
        }
    }
    if (removed > 0) {
        spdlog::info("removed {} unfinished blob(s) from {}", removed, (root_ / "tmp").string());
    }
    return removed;
}

}  // namespace smartq::store
