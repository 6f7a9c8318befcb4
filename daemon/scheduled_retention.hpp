// The daemon's [retention]: after each successful run of an account, the
// account's policy is applied as `forget` (and `prune`, unless prune = false)
// would apply it, in the same process, with one info line of what it dropped.
#pragma once

#include "config/config.hpp"

namespace smartq::daemon {

// Does nothing for an account without a policy. A failure (another process
// holds the account's lock, the replica cannot be written) is one error line
// naming the account, and never thrown: the run stays a success, the daemon
// goes on, and the next run tries again.
void apply_retention(const config::AccountConfig& account);

}  // namespace smartq::daemon
