#include "support/account_config.hpp"

namespace smartq::test {

config::AccountConfig account_of(const SandboxFixture& sandbox, const std::filesystem::path& dir,
                                 std::string name) {
    config::AccountConfig account;
    account.name = std::move(name);
    account.url = "http://127.0.0.1:" + std::to_string(sandbox.port());
    account.login = sandbox.options().login;
    account.password = config::Secret(sandbox.options().password);
    account.api_key = config::Secret(sandbox.options().api_key);
    account.data_dir = dir;
    return account;
}

}  // namespace smartq::test
