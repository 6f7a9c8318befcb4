#pragma once

#include <stdexcept>
#include <string>

namespace smartq::store {

// Every failure of the replica: bad SQL, a constraint, a spec that does not fit the schema.
class StoreError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The file is not a database or fails its quick check; the CLI maps this to exit 65.
class ReplicaDamaged : public StoreError {
  public:
    using StoreError::StoreError;
};

// Every failure of the blob store, named by path ("disk full while writing ...").
class BlobError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace smartq::store
