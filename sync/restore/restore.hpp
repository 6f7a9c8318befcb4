// One restore from configuration to report: the source account's replica and
// blobs, the target account's read-write client, the replay, the verification.
#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "config/config.hpp"
#include "sync/failure.hpp"
#include "sync/restore/report.hpp"
#include "sync/restore/scope.hpp"

namespace smartq::sync::restore {

struct RestoreOptions {
    Scope scope;
    bool dry_run = false;
    bool into_source = false;  // required when the target is the source account
    bool annotate_authors = false;
    std::optional<std::filesystem::path> user_password_file;
    std::optional<std::filesystem::path> passwords_out;
};

// Thrown before anything is sent when the request itself is wrong (the target
// is the source account without --into-source, an unknown --project, ...).
class RestoreRefused : public UsageError {
  public:
    using UsageError::UsageError;
};

// Whether `to` is the account `from` backs up (same name or same url).
bool same_account(const config::AccountConfig& from, const config::AccountConfig& to);

// Holds the source account's lock while it runs (a sync must not move the
// replica under the plan). Throws RestoreRefused, HttpError, StoreError.
boost::asio::awaitable<Report> restore_account(const config::AccountConfig& from,
                                               const config::AccountConfig& to,
                                               RestoreOptions options);

}  // namespace smartq::sync::restore
