// The proxy as a user meets it: smartq-backup sync of the sandbox through the
// suite's CONNECT proxy, chosen by the config key or the environment, and what a
// refusing proxy or a bad proxy URL ends with.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>
#include <map>

#include <fmt/format.h>

#include "backup_env.hpp"
#include "connect_proxy.hpp"

using namespace smartq;
using namespace smartq::test;
using namespace smartq::http::testing;
using namespace std::chrono_literals;

namespace {

// A name only the proxy resolves: a connection that bypassed it could not be made.
constexpr std::string_view kHiddenHost = "sandbox.proxy-test.invalid";

sandbox::ServerOptions tiny() {
    sandbox::ServerOptions options;
    options.size = sandbox::Size::Tiny;
    return options;
}

// Writes the config of one account at `url` with secrets from the environment; mode
// 0600, so a proxy password may be in it.
void configure(const BackupEnv& env, const std::string& url, const std::string& top_extra = {},
               const std::string& account_extra = {}) {
    std::ofstream(env.config()) << fmt::format(
        "data_dir = \"{}\"\nconcurrency = 4\nretry_for = \"1s\"\n{}\n"
        "[accounts.acme]\nurl = \"{}\"\nlogin = \"admin@sandbox.test\"\n"
        "password_env = \"SQ_PASSWORD\"\napi_key_env = \"SQ_KEY\"\n{}\n",
        env.data_dir().string(), top_extra, url, account_extra);
    ::chmod(env.config().c_str(), 0600);
}

// Runs the program with the sandbox's secrets and no proxy variables but `proxy_variables`.
RunResult run(const BackupEnv& env, const std::vector<std::string>& args,
              const std::map<std::string, std::string>& proxy_variables = {}) {
    std::map<std::string, std::string> chosen = {{"http_proxy", ""},
                                                 {"https_proxy", ""},
                                                 {"HTTPS_PROXY", ""},
                                                 {"no_proxy", ""},
                                                 {"NO_PROXY", ""}};
    for (const auto& [name, value] : proxy_variables) {
        chosen[name] = value;
    }
    std::vector<std::string> variables = {"SQ_PASSWORD=sandbox-password", "SQ_KEY=sandbox-key"};
    for (const auto& [name, value] : chosen) {
        variables.push_back(name + "=" + value);
    }
    std::vector<std::string> all = {"--config", env.config().string()};
    all.insert(all.end(), args.begin(), args.end());
    ChildProcess child(SMARTQ_BACKUP_BIN, all, variables);
    auto status = child.wait(120s);
    REQUIRE_MESSAGE(status.has_value(), "smartq-backup did not finish in time");
    return {status->code, child.stdout_text(), child.stderr_text()};
}

std::string hidden_url(const SandboxFixture& sandbox) {
    return fmt::format("http://{}:{}", kHiddenHost, sandbox.port());
}

std::string direct_url(const SandboxFixture& sandbox) {
    return fmt::format("http://127.0.0.1:{}", sandbox.port());
}

// The last line of stderr: the one sentence a failed command ends with.
std::string last_line(const std::string& text) {
    auto end = text.find_last_not_of('\n');
    auto start = text.rfind('\n', end);
    return text.substr(start == std::string::npos ? 0 : start + 1, end - start);
}

}  // namespace

TEST_CASE("proxy program: a sync through the proxy key tunnels every connection, equal copy") {
    SandboxFixture sandbox(tiny());
    ConnectProxy proxy({.hosts = {{std::string(kHiddenHost), "127.0.0.1"}}});
    BackupEnv env;
    configure(env, hidden_url(sandbox), fmt::format("proxy = \"{}\"", proxy.url()));
    auto result = run(env, {"sync"});
    CAPTURE(result.err);
    REQUIRE(result.code == 0);
    check_exact_copy(sandbox, env);
    CHECK(proxy.tunnels() >= 1);
    CHECK(proxy.tunnels() <= 4);  // kept alive: at most one per request in flight
    for (const auto& target : proxy.targets()) {
        CHECK(target == fmt::format("{}:{}", kHiddenHost, sandbox.port()));
    }
}

TEST_CASE(
    "proxy program: http_proxy from the environment, the key wins, and an empty proxy is none") {
    SandboxFixture sandbox(tiny());
    ConnectProxy from_env({.hosts = {{std::string(kHiddenHost), "127.0.0.1"}}});
    ConnectProxy from_key({.hosts = {{std::string(kHiddenHost), "127.0.0.1"}}});
    std::map<std::string, std::string> env_proxy = {{"http_proxy", from_env.url()}};
    BackupEnv env;

    configure(env, hidden_url(sandbox));
    auto result = run(env, {"sync"}, env_proxy);
    CAPTURE(result.err);
    CHECK(result.code == 0);
    CHECK(from_env.tunnels() >= 1);

    int before = from_env.tunnels();
    configure(env, hidden_url(sandbox), "", fmt::format("proxy = \"{}\"", from_key.url()));
    result = run(env, {"sync"}, env_proxy);
    CHECK(result.code == 0);
    CHECK(from_key.tunnels() >= 1);
    CHECK(from_env.tunnels() == before);

    int key_before = from_key.tunnels();
    configure(env, direct_url(sandbox), fmt::format("proxy = \"{}\"", from_key.url()),
              "proxy = \"\"");
    result = run(env, {"sync"}, env_proxy);
    CHECK(result.code == 0);
    CHECK(from_key.tunnels() == key_before);
    CHECK(from_env.tunnels() == before);
    check_exact_copy(sandbox, env);
}

TEST_CASE("proxy program: a host no_proxy names is reached directly") {
    SandboxFixture sandbox(tiny());
    ConnectProxy proxy;
    BackupEnv env;
    configure(env, direct_url(sandbox), fmt::format("proxy = \"{}\"", proxy.url()));
    auto result = run(env, {"sync"}, {{"no_proxy", "example.com, 127.0.0.1"}});
    CAPTURE(result.err);
    CHECK(result.code == 0);
    CHECK(proxy.targets().empty());
    result = run(env, {"sync"}, {{"NO_PROXY", "127.0.0.0/8"}});
    CHECK(result.code == 0);
    CHECK(proxy.targets().empty());
    result = run(env, {"sync"}, {{"no_proxy", "127.0.0.1:1"}});  // another port: through the proxy
    CHECK(result.code == 0);
    CHECK(proxy.tunnels() >= 1);
}

TEST_CASE("proxy program: credentials in the proxy URL, and refused ones end with 69, unsaid") {
    SandboxFixture sandbox(tiny());
    // base64("proxy-user:right")
    ConnectProxy proxy({.required_authorization = "Basic cHJveHktdXNlcjpyaWdodA==",
                        .hosts = {{std::string(kHiddenHost), "127.0.0.1"}}});
    BackupEnv env;
    auto proxy_url = [&](const std::string& password) {
        return fmt::format("http://proxy-user:{}@127.0.0.1:{}", password, proxy.port());
    };
    configure(env, hidden_url(sandbox), fmt::format("proxy = \"{}\"", proxy_url("right")));
    auto result = run(env, {"sync"});
    CAPTURE(result.err);
    CHECK(result.code == 0);
    CHECK(proxy.tunnels() >= 1);

    int tunnels = proxy.tunnels();
    configure(env, hidden_url(sandbox));
    result = run(env, {"sync"}, {{"http_proxy", proxy_url("WRONG-SECRET-7")}});
    CHECK(result.code == 69);
    CHECK(proxy.tunnels() == tunnels);
    CHECK(last_line(result.err) ==
          fmt::format("smartq-backup: acme: the proxy 127.0.0.1:{} did not open a tunnel to {}:{}: "
                      "it answered 407 Proxy Authentication Required (check the user and password "
                      "of the proxy's URL)",
                      proxy.port(), kHiddenHost, sandbox.port()));
    CHECK(result.err.find("WRONG-SECRET-7") == std::string::npos);
    CHECK(result.out.find("WRONG-SECRET-7") == std::string::npos);
}

TEST_CASE("proxy program: a proxy that cannot reach the server ends the sync with 75") {
    SandboxFixture sandbox(tiny());
    ConnectProxy failing({.refuse_with = 502});
    BackupEnv env;
    configure(env, direct_url(sandbox), fmt::format("proxy = \"{}\"", failing.url()));
    auto result = run(env, {"sync"});
    CHECK(result.code == 75);
    CHECK(last_line(result.err).find("it answered 502 Bad Gateway") != std::string::npos);
    CHECK(stats(sandbox).total == 0);
}

TEST_CASE("proxy program: an unusable proxy URL is one sentence and exit 78") {
    SandboxFixture sandbox(tiny());
    BackupEnv env;
    configure(env, direct_url(sandbox), "proxy = \"socks5://u:SECRET-9@127.0.0.1:1080\"");
    auto result = run(env, {"sync"});
    CHECK(result.code == 78);
    CHECK(last_line(result.err) ==
          fmt::format("smartq-backup: {}:4: key 'proxy': the proxy URL is not usable: only an "
                      "http:// proxy can open a tunnel (CONNECT); not socks5://",
                      env.config().string()));
    CHECK(result.err.find("SECRET-9") == std::string::npos);

    configure(env, direct_url(sandbox));
    result = run(env, {"sync"}, {{"http_proxy", "http://127.0.0.1:99999"}});
    CHECK(result.code == 78);
    CHECK(last_line(result.err) ==
          "smartq-backup: environment variable http_proxy: the proxy URL is not usable: the port "
          "must be a number from 1 to 65535");
    CHECK(stats(sandbox).total == 0);
}
