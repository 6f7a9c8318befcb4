// The one failure of the wire layer, in a header of its own: catching it must
// not cost a translation unit the 31k lines of simdjson.h.
#pragma once

#include <stdexcept>

namespace smartq::wire {

// An answer whose shape cannot be read (a scalar where a list belongs, a
// record without its key).
class WireError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace smartq::wire
