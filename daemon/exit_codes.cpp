#include "daemon/exit_codes.hpp"

#include <csignal>
#include <utility>

namespace smartq::daemon {

Failure describe(std::exception_ptr error) {
    auto failure = sync::classify(error);
    return {sync::exit_code(failure.cause), std::move(failure.sentence)};
}

int stopped_exit_code(int signal) {
    return signal == SIGINT ? kInterrupted : kTerminated;
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
