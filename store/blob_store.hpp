#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "store/errors.hpp"
#include "store/fail_count.hpp"

// Content-addressed attachment bodies: <root>/<aa>/<sha256 hex>. Bodies are written to a temp
// file in <root>/tmp (same filesystem), hashed while written and renamed into place, so a blob
// is either whole or absent while the machine runs. Server file names are never used.
//
// Durability comes in batches: sync() makes every body committed so far durable with one syncfs,
// and the replica calls it before each COMMIT (Replica::before_commit), so a row never names a
// body a power loss could take. A fsync of each body and of its directory cost a sixth of a full
// sync's CPU. A power loss may leave a body no row names yet empty or partial under its name; a
// later commit of that body finds it different and replaces it.
namespace smartq::store {

struct BlobId {
    std::string sha256;  // lowercase hex
    std::uint64_t size = 0;
    bool operator==(const BlobId&) const = default;
};

class BlobWriter {
  public:
    BlobWriter(BlobWriter&&) noexcept;
    BlobWriter& operator=(BlobWriter&&) = delete;
    ~BlobWriter();  // removes the temp file unless committed

    void write(std::span<const char> bytes);
    // Checks the size (mismatch: BlobError, temp removed) and moves the body into place, not yet
    // durable (BlobStore::sync). An identical body already stored is kept and the temp dropped.
    BlobId commit(std::optional<std::uint64_t> expected_size = std::nullopt);

  private:
    friend class BlobStore;
    struct State;
    explicit BlobWriter(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

class BlobStore {
  public:
    explicit BlobStore(std::filesystem::path root);  // creates root and root/tmp
    BlobStore(const BlobStore&) = delete;
    BlobStore& operator=(const BlobStore&) = delete;
    ~BlobStore();

    const std::filesystem::path& root() const { return root_; }
    BlobWriter begin();
    bool has(std::string_view sha256) const;
    std::filesystem::path path_of(std::string_view sha256) const;  // BlobError if not a sha256
    bool verify(std::string_view sha256) const;  // re-hashes; false if missing or different
    // Removes temp files left by a killed process; returns how many. Call at start, while no
    // writer of this store is open.
    std::size_t remove_stale_temps();
    // Makes every body committed so far durable; BlobError if the disk reports a failure, and
    // the bodies then count as not yet durable.
    void sync();

    // Test hook: writers begun from now on fail as `faults` says. Null: none fail. The object
    // must outlive the writers.
    void inject_write_faults(const FailAfterBytes* faults) { faults_ = faults; }
    // Test hook: the chosen calls of sync() fail as a disk's write error would.
    void inject_sync_faults(FailCount* faults) { sync_faults_ = faults; }

  private:
    std::filesystem::path root_;
    // Open for the store's life: syncfs reports the write errors of its file system since the
    // descriptor was opened, also those of the kernel's own writeback before a sync().
    int root_fd_ = -1;
    bool unsynced_ = false;
    const FailAfterBytes* faults_ = nullptr;
    FailCount* sync_faults_ = nullptr;
};

}  // namespace smartq::store
