// The `proxy` key and the environment's proxy variables (curl's, rclone's and restic's).
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fmt/format.h>

#include "config/config.hpp"
#include "scratch_dir.hpp"

using namespace smartq::config;
using smartq::config::testing::ScratchDir;

namespace {

const std::filesystem::path config_name = "/nonexistent/etc/cfg.toml";

Environment env_with(Environment::Variables extra) {
    extra.emplace("HOME", "/home/u");
    extra.emplace("PW", "PW-secret");
    extra.emplace("KEY", "KEY-secret");
    return Environment(std::move(extra));
}

std::string account(std::string_view name, std::string_view url, std::string_view extra = "") {
    return fmt::format(
        "[accounts.{}]\nurl = \"{}\"\nlogin = \"a@b.example\"\npassword_env = \"PW\"\n"
        "api_key_env = \"KEY\"\n{}",
        name, url, extra);
}

std::string acme(std::string_view extra = "") {
    return account("acme", "https://acme.smartqweb.com", extra);
}

std::optional<ProxyConfig> proxy_of(std::string_view text, Environment::Variables env = {}) {
    return parse_config(text, config_name, env_with(std::move(env))).accounts.at(0).proxy;
}

std::string error_of(std::string_view text, Environment::Variables env = {}) {
    try {
        parse_config(text, config_name, env_with(std::move(env)));
    } catch (const ConfigError& e) {
        return e.what();
    }
    FAIL("no ConfigError for:\n" << text);
    return {};
}

}  // namespace

TEST_CASE("proxy: no key and no environment, no proxy") {
    CHECK_FALSE(proxy_of(acme()));
}

TEST_CASE("proxy: the key's URL, with credentials percent-decoded and curl's default port") {
    auto proxy = proxy_of("proxy = \"http://proxy.corp.example:3128/\"\n" + acme());
    REQUIRE(proxy);
    CHECK(proxy->host == "proxy.corp.example");
    CHECK(proxy->port == 3128);
    CHECK(proxy->user.empty());
    CHECK(proxy->password.empty());
    proxy = proxy_of(acme("proxy = \"HTTP://me%40corp:p%3Ass%20w@[fd00::1]\"\n"));
    REQUIRE(proxy);
    CHECK(proxy->host == "fd00::1");
    CHECK(proxy->port == 1080);
    CHECK(proxy->user == "me@corp");
    CHECK(proxy->password.reveal() == "p:ss w");
    proxy = proxy_of(acme("proxy = \"10.1.2.3:8080\"\n"));
    REQUIRE(proxy);
    CHECK(proxy->host == "10.1.2.3");
    CHECK(proxy->port == 8080);
}

TEST_CASE(
    "proxy: https_proxy, then HTTPS_PROXY, for an https:// site, and http_proxy for http://") {
    auto proxy = proxy_of(acme(), {{"https_proxy", "http://lower:1"}, {"HTTPS_PROXY", "upper:2"}});
    REQUIRE(proxy);
    CHECK(proxy->host == "lower");
    proxy = proxy_of(acme(), {{"https_proxy", ""}, {"HTTPS_PROXY", "upper:2"}});
    REQUIRE(proxy);
    CHECK(proxy->host == "upper");
    CHECK_FALSE(proxy_of(acme(), {{"http_proxy", "plain:3"}}));

    std::string sandbox = account("lab", "http://127.0.0.1:8080");
    proxy = proxy_of(sandbox, {{"http_proxy", "plain:3"}, {"https_proxy", "secure:4"}});
    REQUIRE(proxy);
    CHECK(proxy->host == "plain");
    // As curl: HTTP_PROXY can be set by a CGI request's Proxy: header, so it is not read.
    CHECK_FALSE(proxy_of(sandbox, {{"HTTP_PROXY", "cgi:5"}}));
}

TEST_CASE("proxy: the key wins over the environment, and an account's over the top level's") {
    Environment::Variables env{{"https_proxy", "from-env:1"}};
    auto proxy = proxy_of("proxy = \"top:2\"\n" + acme(), env);
    REQUIRE(proxy);
    CHECK(proxy->host == "top");
    CHECK_FALSE(proxy_of("proxy = \"\"\n" + acme(), env));
    CHECK_FALSE(proxy_of("proxy = \"top:2\"\n" + acme("proxy = \"\"\n"), env));
    auto config = parse_config("proxy = \"\"\n" + acme("proxy = \"own:3\"\n") +
                                   account("beta", "https://beta.smartqweb.com"),
                               config_name, env_with(env));
    REQUIRE(config.account("acme").proxy);
    CHECK(config.account("acme").proxy->host == "own");
    CHECK_FALSE(config.account("beta").proxy);
}

TEST_CASE("proxy: no_proxy, then NO_PROXY, goes with the proxy to the transport") {
    auto proxy = proxy_of(acme("proxy = \"p:1\"\n"),
                          {{"no_proxy", "localhost,.corp"}, {"NO_PROXY", "other"}});
    REQUIRE(proxy);
    CHECK(proxy->no_proxy == "localhost,.corp");
    proxy = proxy_of(acme(), {{"HTTPS_PROXY", "p:1"}, {"NO_PROXY", "10.0.0.0/8"}});
    REQUIRE(proxy);
    CHECK(proxy->no_proxy == "10.0.0.0/8");
}

TEST_CASE("proxy: an unusable URL is one sentence at its key or variable, never the password") {
    CHECK(error_of("proxy = \"socks5://p:1080\"\n" + acme()) ==
          "/nonexistent/etc/cfg.toml:1: key 'proxy': the proxy URL is not usable: only an "
          "http:// proxy can open a tunnel (CONNECT); not socks5://");
    CHECK(error_of(acme("proxy = \"http://u:SECRET-X@p:99999\"\n")) ==
          "/nonexistent/etc/cfg.toml:6: key 'accounts.acme.proxy': the proxy URL is not usable: "
          "the port must be a number from 1 to 65535");
    CHECK(error_of(acme("proxy = \"http://p:1/path\"\n"))
              .ends_with("it must not have a path, a query or a fragment"));
    CHECK(error_of(acme("proxy = \"http://:SECRET-X@p:1\"\n"))
              .ends_with("it has a '@' but no user name before it"));
    CHECK(error_of(acme("proxy = \"http://u:%zz@p\"\n"))
              .ends_with("a '%' in its password is not followed by two hex digits"));
    CHECK(error_of(acme("proxy = \"http://\"\n")).ends_with("it has no host name"));
    CHECK(error_of(acme("proxy = 3128\n")) ==
          "/nonexistent/etc/cfg.toml:6: key 'accounts.acme.proxy': expected a string, got an "
          "integer");
    CHECK(error_of(acme(), {{"https_proxy", "https://u:SECRET-X@p:1"}}) ==
          "environment variable https_proxy: the proxy URL is not usable: only an http:// proxy "
          "can open a tunnel (CONNECT); not https://");
    CHECK(error_of(acme("proxy = \"http://u:SECRET-X@p:1\n")).find("SECRET-X") ==
          std::string::npos);
}

TEST_CASE("proxy: a password in the key is refused when others can read the file") {
    ScratchDir dir;
    std::string text = "data_dir = \"/tmp/x\"\n" + acme("proxy = \"http://u:SECRET-X@p:1\"\n");
    auto file = dir.write("config.toml", text, 0644);
    try {
        load_config(file, env_with({}));
        FAIL("a world-readable proxy password was accepted");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()).ends_with(
            "key 'accounts.acme.proxy': a password in the proxy URL is refused because the file "
            "is readable by others; chmod 600 it or give the proxy in the environment"));
        CHECK(std::string(e.what()).find("SECRET-X") == std::string::npos);
    }
    ::chmod(file.c_str(), 0600);
    CHECK(load_config(file, env_with({})).accounts.at(0).proxy->password.reveal() == "SECRET-X");
}
