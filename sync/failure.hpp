// The one failure vocabulary (rclone's fserrors): every exception a run or a
// command can end with is classified here, once, into a cause; the cause alone
// decides whether the scheduler retries, the status the run log records and
// the exit code of the command line. The crawler, the scheduler and the
// commands ask this file instead of each catching the same exceptions again.
#pragma once

#include <exception>
#include <stdexcept>
#include <string>

#include "store/run_log.hpp"

namespace smartq::sync {

// A request the user can correct by changing the command (bad SQL, an unknown
// --project, a restore into the backed-up account without --into-source).
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A program the command needs is not installed (the sandbox of a drill); the
// message says where it was looked for.
class ProgramMissing : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class Cause {
    Stopped,      // a stop was asked for; what was fetched is committed
    Usage,        // the command asks for something that cannot be done
    Config,       // the configuration or the client's own settings cannot be used
    Credentials,  // the login or the API key was refused
    Unreachable,  // no connection, a refused TLS handshake, a needed program missing
    Unparsable,   // the server's answers cannot be understood
    Partial,      // objects were not stored (or the server failed midway): the next run reads them
    Rejected,     // the server refused a request for good, or its fate is unknown
    Busy,         // another process holds the account's lock
    DataError,    // going on would harm the backup: a damaged replica, the deletion guard
    LocalDisk,    // the replica or the blob store could not be written
    Bug,          // anything else
};

// What the scheduler does after a run that ended with this cause.
enum class Retry {
    No,         // stopped on request: there is nothing to retry
    NextRound,  // not the account's failure (its lock is busy): at the usual interval
    BackOff,    // a failure: again after a delay that grows with each one in a row
};

struct Failure {
    Cause cause = Cause::Bug;
    std::string sentence;  // one sentence for the user; never a secret
};

// Classifies the exception `error` holds (not null).
Failure classify(std::exception_ptr error);

Retry retry(Cause cause);
store::RunStatus run_status(Cause cause);
// The sysexits code of INTERFACE.md; 0 for Stopped (a command that was
// stopped reports the signal itself).
int exit_code(Cause cause);

}  // namespace smartq::sync
