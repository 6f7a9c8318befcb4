// Never two runs of one account at once, across processes: an flock on a file
// in the account's data directory, held for the lifetime of this object.
#pragma once

#include <filesystem>
#include <string>

#include "store/errors.hpp"

namespace smartq::store {

class LockBusy : public StoreError {
  public:
    using StoreError::StoreError;
};

class AccountLock {
  public:
    // Throws LockBusy naming the account (and the holder's pid when known)
    // if another process holds the lock.
    AccountLock(const std::filesystem::path& file, const std::string& account);
    ~AccountLock();
    AccountLock(const AccountLock&) = delete;
    AccountLock& operator=(const AccountLock&) = delete;

  private:
    int fd_ = -1;
};

}  // namespace smartq::store
