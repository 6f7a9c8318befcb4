// Everything the sandbox serves from, shared by the HTTP layer and the admin
// API. Touched only from the server's one io_context thread, hence no locks.
#pragma once

#include <memory>

#include "account.hpp"
#include "auth.hpp"
#include "faults.hpp"
#include "server.hpp"
#include "stats.hpp"

namespace smartq::sandbox {

struct ServerState {
    explicit ServerState(const ServerOptions& options);

    // A fresh account from the configured seed and size, keeping the current
    // wire options; every token is forgotten.
    void reseed();

    ServerOptions options;
    std::unique_ptr<Account> account;
    Authenticator auth;
    FaultInjector faults;
    Stats stats;
};

}  // namespace smartq::sandbox
