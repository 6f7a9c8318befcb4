// Deterministic seeded accounts: the same (seed, size, admin) always builds
// the same rows, ids and (past) times.
#pragma once

#include <cstdint>

#include "account.hpp"
#include "model.hpp"

namespace smartq::sandbox {

void seed_account(Model& model, Size size, const AdminUser& admin);

}  // namespace smartq::sandbox
