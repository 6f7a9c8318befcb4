// The failure vocabulary: each exception a run or a command can end with,
// and what it decides: the exit code and sentence of the command line, the
// run log's status, the scheduler's retry. The numbers are INTERFACE.md's.
#include <doctest/doctest.h>

#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "config/config_error.hpp"
#include "daemon/exit_codes.hpp"
#include "store/account_lock.hpp"
#include "store/errors.hpp"
#include "sync/failure.hpp"
#include "sync/http/errors.hpp"
#include "sync/restore/restore.hpp"
#include "sync/sync_error.hpp"
#include "sync/wire/wire_error.hpp"

using namespace smartq;

namespace {

struct Expected {
    int code;
    store::RunStatus status;
    sync::Retry retry;
};

template <class Error>
void check(const Error& error, Expected expected, const std::string& sentence) {
    auto thrown = std::make_exception_ptr(error);
    auto failure = daemon::describe(thrown);
    CHECK(failure.code == expected.code);
    CHECK(failure.message == sentence);
    auto cause = sync::classify(thrown).cause;
    CHECK(sync::run_status(cause) == expected.status);
    CHECK(sync::retry(cause) == expected.retry);
}

http::HttpError http_error(http::ErrorClass cls) {
    return http::HttpError(cls, 0, "GET /tickets: what happened");
}

}  // namespace

TEST_CASE("what the command line, the run log and the scheduler make of each failure") {
    using store::RunStatus;
    using sync::Retry;
    const std::string what = "GET /tickets: what happened";
    check(daemon::UsageError("bad SQL"), {64, RunStatus::Failed, Retry::BackOff}, "bad SQL");
    check(sync::restore::RestoreRefused("the target is the source"),
          {64, RunStatus::Failed, Retry::BackOff}, "the target is the source");
    check(daemon::ProgramMissing("no sandbox"), {69, RunStatus::Failed, Retry::BackOff},
          "no sandbox");
    check(config::ConfigError("no url"), {78, RunStatus::Failed, Retry::BackOff}, "no url");
    check(http_error(http::ErrorClass::AuthRefused), {77, RunStatus::Failed, Retry::BackOff}, what);
    check(http_error(http::ErrorClass::Unreachable), {69, RunStatus::Failed, Retry::BackOff}, what);
    check(http_error(http::ErrorClass::TlsRefused), {69, RunStatus::Failed, Retry::BackOff}, what);
    check(http_error(http::ErrorClass::Misconfigured), {78, RunStatus::Failed, Retry::BackOff},
          what);
    check(http_error(http::ErrorClass::Malformed), {76, RunStatus::Failed, Retry::BackOff}, what);
    check(http_error(http::ErrorClass::Retryable), {75, RunStatus::Partial, Retry::BackOff}, what);
    check(http_error(http::ErrorClass::RateLimited), {75, RunStatus::Partial, Retry::BackOff},
          what);
    check(http_error(http::ErrorClass::Permanent), {75, RunStatus::Failed, Retry::BackOff}, what);
    check(http_error(http::ErrorClass::OutcomeUnknown), {75, RunStatus::Failed, Retry::BackOff},
          what);
    check(sync::SyncError(sync::SyncError::Reason::Interrupted, "stopped"),
          {0, RunStatus::Interrupted, Retry::No}, "stopped");
    check(sync::SyncError(sync::SyncError::Reason::Incomplete, "3 problems"),
          {75, RunStatus::Partial, Retry::BackOff}, "3 problems");
    check(sync::SyncError(sync::SyncError::Reason::DeletionGuard, "refusing"),
          {65, RunStatus::Failed, Retry::BackOff}, "refusing");
    check(wire::WireError("a scalar"), {76, RunStatus::Failed, Retry::BackOff},
          "the server's answer could not be understood: a scalar");
    check(store::LockBusy("account acme is being synced"),
          {75, RunStatus::Failed, Retry::NextRound}, "account acme is being synced");
    check(store::ReplicaDamaged("not a database"), {65, RunStatus::Failed, Retry::BackOff},
          "not a database");
    check(store::BlobError("disk full"), {74, RunStatus::Failed, Retry::BackOff}, "disk full");
    check(store::StoreError("readonly"), {74, RunStatus::Failed, Retry::BackOff}, "readonly");
    std::filesystem::filesystem_error disk("cannot create", "/x",
                                           std::make_error_code(std::errc::no_space_on_device));
    check(disk, {74, RunStatus::Failed, Retry::BackOff}, disk.what());
    check(std::logic_error("oops"), {70, RunStatus::Failed, Retry::BackOff},
          "internal error: oops");
    check(42, {70, RunStatus::Failed, Retry::BackOff}, "internal error: an unknown exception");
}

TEST_CASE("a command over several accounts exits with the more serious code") {
    CHECK(daemon::worse(0, 75) == 75);
    CHECK(daemon::worse(75, 77) == 77);
    CHECK(daemon::worse(65, 69) == 65);
    CHECK(daemon::worse(64, 0) == 64);
}
