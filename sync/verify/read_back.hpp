// Verification against a live account: sync it, read-only, into a scratch
// replica and blob store (bodies are downloaded so file sha256 are compared),
// then compare that with the source replica.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "store/replica.hpp"
#include "sync/verify/compare.hpp"

namespace smartq::sync::verify {

// The differences between `source` and the account `target` as it is now
// (see compare_replicas). `scratch_dir` receives replica.db and blobs/; it is
// created if missing and left for the caller to remove. Throws what a sync
// throws (HttpError, SyncError, StoreError) when the account cannot be read.
boost::asio::awaitable<std::vector<std::string>> verify_against(
    const config::AccountConfig& target, store::Replica& source, const CompareScope& scope,
    const std::filesystem::path& scratch_dir);

}  // namespace smartq::sync::verify
