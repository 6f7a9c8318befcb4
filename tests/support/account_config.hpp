// The configuration of an account backed by an in-process sandbox, for tests that drive the
// sync or the verification below the command line.
#pragma once

#include <filesystem>
#include <string>

#include "config/config.hpp"
#include "support/sandbox_fixture.hpp"

namespace smartq::test {

// `name` logs in to `sandbox` with its credentials and keeps its data in `dir`.
config::AccountConfig account_of(const SandboxFixture& sandbox, const std::filesystem::path& dir,
                                 std::string name = "sandbox");

}  // namespace smartq::test
