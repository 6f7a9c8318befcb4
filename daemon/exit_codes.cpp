#include "daemon/exit_codes.hpp"

#include "config/config_error.hpp"
#include "store/account_lock.hpp"
#include "store/errors.hpp"
#include "sync/http/errors.hpp"
#include "sync/sync_error.hpp"
#include "sync/wire/normalise.hpp"

namespace smartq::daemon {

Failure describe(std::exception_ptr error) {
    try {
        std::rethrow_exception(error);
    } catch (const UsageError& e) {
        return {kUsage, e.what()};
    } catch (const ProgramMissing& e) {
        return {kUnavailable, e.what()};
    } catch (const config::ConfigError& e) {
        return {kConfig, e.what()};
    } catch (const http::HttpError& e) {
        switch (e.cls()) {
            case http::ErrorClass::AuthRefused:
                return {kNoPerm, e.what()};
            case http::ErrorClass::Unreachable:
            case http::ErrorClass::TlsRefused:
                return {kUnavailable, e.what()};
            case http::ErrorClass::Misconfigured:
                return {kConfig, e.what()};
            case http::ErrorClass::Malformed:
                return {kProtocol, e.what()};
            default:
                return {kTempFail, e.what()};
        }
    } catch (const sync::SyncError& e) {
        switch (e.reason()) {
            case sync::SyncError::Reason::Interrupted:
                return {kOk, e.what()};
            case sync::SyncError::Reason::DeletionGuard:
                return {kDataError, e.what()};
            default:
                return {kTempFail, e.what()};
        }
    } catch (const wire::WireError& e) {
        return {kProtocol, std::string("the server's answer could not be understood: ") + e.what()};
    } catch (const store::LockBusy& e) {
        return {kTempFail, e.what()};
    } catch (const store::ReplicaDamaged& e) {
        return {kDataError, e.what()};
    } catch (const store::BlobError& e) {
        return {kIoError, e.what()};
    } catch (const store::StoreError& e) {
        return {kIoError, e.what()};
    } catch (const std::filesystem::filesystem_error& e) {
        return {kIoError, e.what()};
    } catch (const std::exception& e) {
        return {kInternal, std::string("internal error: ") + e.what()};
    } catch (...) {
        return {kInternal, "internal error: an unknown exception"};
    }
}

int worse(int a, int b) {
    // Configuration and credentials first: they need the user; then data and
    // local disk; then what retrying may fix.
    static constexpr int order[] = {kConfig,      kNoPerm,   kDataError, kIoError, kInternal,
                                    kUnavailable, kProtocol, kTempFail,  kUsage,   kOk};
    for (int code : order) {
        if (a == code || b == code)
            return code;
    }
    return a != kOk ? a : b;
}

}  // namespace smartq::daemon
