#include "server_state.hpp"

namespace smartq::sandbox {

ServerState::ServerState(const ServerOptions& server_options)
    : options(server_options),
      account(Account::create(options.seed, options.size, {options.login, options.password})),
      auth(options.api_key, options.token_ttl,
           [this](std::string_view login, std::string_view password) {
               return account->check_password(login, password);
           }),
      faults(options.faults) {
    account->set_wire(options.wire);
}

void ServerState::reseed() {
    auto wire = account->wire();
    account = Account::create(options.seed, options.size, {options.login, options.password});
    account->set_wire(wire);
    auth.revoke_all();
}

}  // namespace smartq::sandbox
