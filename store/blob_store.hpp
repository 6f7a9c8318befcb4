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
// file in <root>/tmp (same filesystem), hashed while written, fsynced and renamed into place, so
// a blob is either whole or absent. Server file names are never used.
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
    // Fsyncs, checks the size (mismatch: BlobError, temp removed) and moves the body into place.
    // An identical body already stored is kept and the temp dropped.
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

    const std::filesystem::path& root() const { return root_; }
    BlobWriter begin();
    bool has(std::string_view sha256) const;
    std::filesystem::path path_of(std::string_view sha256) const;  // BlobError if not a sha256
    bool verify(std::string_view sha256) const;  // re-hashes; false if missing or different
    // Removes temp files left by a killed process; returns how many. Call at start, while no
    // writer of this store is open.
    std::size_t remove_stale_temps();

    // Test hook: writers begun from now on fail as `faults` says. Null: none fail. The object
    // must outlive the writers.
    void inject_write_faults(const FailAfterBytes* faults) { faults_ = faults; }

  private:
    std::filesystem::path root_;
    const FailAfterBytes* faults_ = nullptr;
};

}  // namespace smartq::store
