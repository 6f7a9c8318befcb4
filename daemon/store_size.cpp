#include "daemon/store_size.hpp"

#include <filesystem>
#include <system_error>

#include "sync/account_sync.hpp"

namespace smartq::daemon {
namespace fs = std::filesystem;

namespace {

std::uint64_t file_bytes(const fs::path& path) {
    std::error_code error;
    auto size = fs::file_size(path, error);
    return error ? 0 : size;
}

// <blobs>/<aa>/<sha256>; <blobs>/tmp holds bodies still being written.
std::uint64_t blob_bytes(const fs::path& root) {
    std::uint64_t total = 0;
    std::error_code error;
    for (fs::recursive_directory_iterator it(root, error), end; !error && it != end;
         it.increment(error)) {
        if (it.depth() == 0 && it->path().filename() == "tmp") {
            it.disable_recursion_pending();
            continue;
        }
        std::error_code ignored;
        if (it->is_regular_file(ignored))
            total += file_bytes(it->path());
    }
    return total;
}

}  // namespace

StoreSize measure_store(const config::AccountConfig& account) {
    auto replica = sync::replica_path(account);
    auto wal = replica;
    wal += "-wal";
    // sync::blobs_path names the same directory but is not exported.
    return {.replica_bytes = file_bytes(replica) + file_bytes(wal),
            .blob_bytes = blob_bytes(account.data_dir / "blobs")};
}

}  // namespace smartq::daemon
