// Failures of a sync run as a whole, classified for the exit code.
#pragma once

#include <stdexcept>
#include <string>

namespace smartq::sync {

class SyncError : public std::runtime_error {
  public:
    enum class Reason {
        Interrupted,    // stop requested (SIGTERM): exit 0 after committing
        Incomplete,     // some objects could not be stored: partial, retry later (75)
        DeletionGuard,  // a sweep would mark most of a resource deleted (65)
        Wire,           // the server's answers cannot be understood (75)
    };
    SyncError(Reason reason, std::string message)
        : std::runtime_error(std::move(message)), reason_(reason) {}
    Reason reason() const { return reason_; }

  private:
    Reason reason_;
};

}  // namespace smartq::sync
