// sysexits codes of INTERFACE.md, and the one place that turns any failure
// into one human sentence and its code.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

namespace smartq::daemon {

enum ExitCode : int {
    kOk = 0,
    kUsage = 64,        // EX_USAGE
    kDataError = 65,    // EX_DATAERR: verification difference, damaged replica, deletion guard
    kUnavailable = 69,  // EX_UNAVAILABLE: the service could not be reached
    kInternal = 70,     // EX_SOFTWARE: a bug
    kIoError = 74,      // EX_IOERR: local disk (full, unwritable)
    kTempFail = 75,     // EX_TEMPFAIL: partial run, retry later
    kProtocol = 76,     // EX_PROTOCOL: the server's answers stay unparsable or oversized
    kNoPerm = 77,       // EX_NOPERM: credentials or API key refused
    kConfig = 78,       // EX_CONFIG
    // A command stopped by a signal, after committing what it had: 128 + the
    // signal, as a shell reports a process the signal killed.
    kInterrupted = 130,  // SIGINT
    kTerminated = 143,   // SIGTERM
};

// A program this command needs is not installed (the sandbox for a drill):
// EX_UNAVAILABLE, with where it was looked for.
class ProgramMissing : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A request the user can correct by changing the command (bad SQL, say).
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Failure {
    int code;
    std::string message;  // one sentence, no secret
};

Failure describe(std::exception_ptr error);

// The more serious of two exit codes, for a command over several accounts.
int worse(int a, int b);

}  // namespace smartq::daemon
