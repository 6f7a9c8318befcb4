#include "sync/failure.hpp"

#include <sysexits.h>

#include <filesystem>

#include "config/config_error.hpp"
#include "store/account_lock.hpp"
#include "store/errors.hpp"
#include "sync/http/errors.hpp"
#include "sync/sync_error.hpp"
#include "sync/wire/wire_error.hpp"

namespace smartq::sync {
namespace {

Cause cause_of(http::ErrorClass cls) {
    switch (cls) {
        case http::ErrorClass::AuthRefused:
            return Cause::Credentials;
        case http::ErrorClass::Unreachable:
        case http::ErrorClass::TlsRefused:
            return Cause::Unreachable;
        case http::ErrorClass::Misconfigured:
            return Cause::Config;
        case http::ErrorClass::Malformed:
            return Cause::Unparsable;
        case http::ErrorClass::Retryable:
        case http::ErrorClass::RateLimited:
            return Cause::Partial;
        case http::ErrorClass::Permanent:
        case http::ErrorClass::OutcomeUnknown:
            return Cause::Rejected;
    }
    return Cause::Bug;
}

Cause cause_of(SyncError::Reason reason) {
    switch (reason) {
        case SyncError::Reason::Interrupted:
            return Cause::Stopped;
        case SyncError::Reason::Incomplete:
            return Cause::Partial;
        case SyncError::Reason::DeletionGuard:
            return Cause::DataError;
        case SyncError::Reason::Wire:
            return Cause::Unparsable;
    }
    return Cause::Bug;
}

// What each cause decides, in one table.
struct Decision {
    Retry retry;
    store::RunStatus status;
    int exit_code;
};

Decision decide(Cause cause) {
    using store::RunStatus;
    switch (cause) {
        case Cause::Stopped:
            return {Retry::No, RunStatus::Interrupted, EX_OK};
        case Cause::Usage:
            return {Retry::BackOff, RunStatus::Failed, EX_USAGE};
        case Cause::Config:
            return {Retry::BackOff, RunStatus::Failed, EX_CONFIG};
        case Cause::Credentials:
            return {Retry::BackOff, RunStatus::Failed, EX_NOPERM};
        case Cause::Unreachable:
            return {Retry::BackOff, RunStatus::Failed, EX_UNAVAILABLE};
        case Cause::Unparsable:
            return {Retry::BackOff, RunStatus::Failed, EX_PROTOCOL};
        case Cause::Partial:
            return {Retry::BackOff, RunStatus::Partial, EX_TEMPFAIL};
        case Cause::Rejected:
            return {Retry::BackOff, RunStatus::Failed, EX_TEMPFAIL};
        case Cause::Busy:
            return {Retry::NextRound, RunStatus::Failed, EX_TEMPFAIL};
        case Cause::DataError:
            return {Retry::BackOff, RunStatus::Failed, EX_DATAERR};
        case Cause::LocalDisk:
            return {Retry::BackOff, RunStatus::Failed, EX_IOERR};
        case Cause::Bug:
            break;
    }
    return {Retry::BackOff, RunStatus::Failed, EX_SOFTWARE};
}

}  // namespace

Failure classify(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const UsageError& e) {
        return {Cause::Usage, e.what()};
    } catch (const ProgramMissing& e) {
        return {Cause::Unreachable, e.what()};
    } catch (const config::ConfigError& e) {
        return {Cause::Config, e.what()};
    } catch (const http::HttpError& e) {
        return {cause_of(e.cls()), e.what()};
    } catch (const SyncError& e) {
        return {cause_of(e.reason()), e.what()};
    } catch (const wire::WireError& e) {
        return {Cause::Unparsable,
                std::string("the server's answer could not be understood: ") + e.what()};
    } catch (const store::LockBusy& e) {
        return {Cause::Busy, e.what()};
    } catch (const store::ReplicaDamaged& e) {
        return {Cause::DataError, e.what()};
    } catch (const store::BlobError& e) {
        return {Cause::LocalDisk, e.what()};
    } catch (const store::StoreError& e) {
        return {Cause::LocalDisk, e.what()};
    } catch (const std::filesystem::filesystem_error& e) {
        return {Cause::LocalDisk, e.what()};
    } catch (const std::exception& e) {
        return {Cause::Bug, std::string("internal error: ") + e.what()};
    } catch (...) {
        return {Cause::Bug, "internal error: an unknown exception"};
    }
}

Retry retry(Cause cause) {
    return decide(cause).retry;
}

store::RunStatus run_status(Cause cause) {
    return decide(cause).status;
}

int exit_code(Cause cause) {
    return decide(cause).exit_code;
}

}  // namespace smartq::sync
