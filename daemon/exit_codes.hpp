// sysexits codes of INTERFACE.md, and the one place that turns any failure
// into one human sentence and its code (the classification itself is
// sync/failure.hpp's).
#pragma once

#include <sysexits.h>

#include <exception>
#include <string>

#include "sync/failure.hpp"

namespace smartq::daemon {

enum ExitCode : int {
    kOk = EX_OK,
    kUsage = EX_USAGE,              // command-line usage error
    kDataError = EX_DATAERR,        // verification difference, damaged replica, deletion guard
    kUnavailable = EX_UNAVAILABLE,  // the service could not be reached
    kInternal = EX_SOFTWARE,        // a bug
    kIoError = EX_IOERR,            // local disk (full, unwritable)
    kTempFail = EX_TEMPFAIL,        // partial run, retry later
    kProtocol = EX_PROTOCOL,        // the server's answers stay unparsable or oversized
    kNoPerm = EX_NOPERM,            // credentials or API key refused
    kConfig = EX_CONFIG,
    // A command stopped by a signal, after committing what it had: 128 + the
    // signal, as a shell reports a process the signal killed.
    kInterrupted = 130,  // SIGINT
    kTerminated = 143,   // SIGTERM
};

using sync::ProgramMissing;
using sync::UsageError;

struct Failure {
    int code;
    std::string message;  // one sentence, no secret
};

Failure describe(std::exception_ptr error);

// kInterrupted after SIGINT, kTerminated after SIGTERM.
int stopped_exit_code(int signal);

// The more serious of two exit codes, for a command over several accounts.
int worse(int a, int b);

}  // namespace smartq::daemon
