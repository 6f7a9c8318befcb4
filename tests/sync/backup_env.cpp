#include "backup_env.hpp"
#include "replica_check.hpp"

#include <doctest/doctest.h>
#include <simdjson.h>
#include <sys/stat.h>

#include <fstream>

namespace smartq::test {

BackupEnv::BackupEnv() = default;

namespace {
void write_secret(const std::filesystem::path& path, const std::string& value) {
    std::ofstream(path) << value;
    ::chmod(path.c_str(), 0600);
}
}  // namespace

void BackupEnv::configure(const std::vector<AccountSpec>& accounts, const std::string& top_extra) {
    std::ofstream file(config());
    file << "data_dir = \"" << data_dir().string() << "\"\nconcurrency = 4\n" << top_extra << "\n";
    for (const auto& a : accounts) {
        write_secret(dir_ / (a.name + ".password"), a.password);
        write_secret(dir_ / (a.name + ".key"), a.api_key);
        file << "[accounts." << a.name << "]\n"
             << "url = \"http://127.0.0.1:" << a.port << "\"\n"
             << "login = \"" << a.login << "\"\n"
             << "password_file = \"" << a.name << ".password\"\n"
             << "api_key_file = \"" << a.name << ".key\"\n"
             << a.extra << "\n";
    }
}

std::unique_ptr<ChildProcess> BackupEnv::start(const std::vector<std::string>& args) const {
    std::vector<std::string> all = {"--config", config().string()};
    all.insert(all.end(), args.begin(), args.end());
    return std::make_unique<ChildProcess>(SMARTQ_BACKUP_BIN, all, std::vector<std::string>{});
}

RunResult BackupEnv::run(const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout) const {
    auto child = start(args);
    auto status = child->wait(timeout);
    REQUIRE_MESSAGE(status.has_value(), "smartq-backup did not finish in time");
    return {status->code, child->stdout_text(), child->stderr_text()};
}

SandboxStats stats(const SandboxFixture& sandbox) {
    auto response = sandbox.admin("GET", "stats");
    REQUIRE(response.status == 200);
    simdjson::dom::parser parser;
    auto root = parser.parse(response.body).value();
    SandboxStats s;
    s.total = root["total"].get_int64().value();
    // Named locals: a range-for over a temporary's value() reads a destroyed object.
    simdjson::dom::object by_method = root["by_method"].get_object().value();
    simdjson::dom::object by_route = root["by_route"].get_object().value();
    for (auto [k, v] : by_method)
        s.by_method[std::string(k)] = v.get_int64().value();
    for (auto [k, v] : by_route)
        s.by_route[std::string(k)] = v.get_int64().value();
    return s;
}

void check_exact_copy(const SandboxFixture& sandbox, const BackupEnv& env) {
    auto dump = sandbox.admin("GET", "dump");
    REQUIRE(dump.status == 200);
    auto problems = replica_vs_dump(env.replica(), dump.body, env.blobs(), true);
    CHECK_MESSAGE(problems.empty(), problems.size() << " difference(s), first: "
                                                    << (problems.empty() ? "" : problems.front()));
}

}  // namespace smartq::test
