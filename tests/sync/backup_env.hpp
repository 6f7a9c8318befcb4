// A smartq-backup installation for one test: a config file with secret files
// beside it, a data directory, and a way to run the program against it.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "support/child_process.hpp"
#include "support/sandbox_fixture.hpp"
#include "support/temp_dir.hpp"

namespace smartq::test {

struct RunResult {
    int code = -1;
    std::string out;
    std::string err;
};

struct AccountSpec {
    std::string name = "acme";
    std::uint16_t port = 0;
    std::string login = "admin@sandbox.test";
    std::string password = "sandbox-password";
    std::string api_key = "sandbox-key";
    std::string extra;  // more TOML lines for the account table
};

class BackupEnv {
  public:
    BackupEnv();
    // Writes config.toml for these accounts (secret files mode 0600).
    void configure(const std::vector<AccountSpec>& accounts, const std::string& top_extra = {});
    RunResult run(const std::vector<std::string>& args,
                  std::chrono::milliseconds timeout = std::chrono::seconds(120)) const;
    // Starts the program without waiting (for kill tests).
    std::unique_ptr<ChildProcess> start(const std::vector<std::string>& args) const;

    std::filesystem::path config() const { return dir_ / "config.toml"; }
    std::filesystem::path data_dir() const { return dir_ / "data"; }
    std::filesystem::path replica(const std::string& account = "acme") const {
        return data_dir() / account / "replica.db";
    }
    std::filesystem::path blobs(const std::string& account = "acme") const {
        return data_dir() / account / "blobs";
    }
    const TempDir& dir() const { return dir_; }

  private:
    TempDir dir_;
};

// The sandbox's request counts, by "METHOD route" and by method.
struct SandboxStats {
    long total = 0;
    std::map<std::string, long> by_method;
    std::map<std::string, long> by_route;
};
SandboxStats stats(const SandboxFixture& sandbox);

// Checks (doctest) that the replica of `env` is an exact copy of the sandbox's account.
void check_exact_copy(const SandboxFixture& sandbox, const BackupEnv& env);

}  // namespace smartq::test
