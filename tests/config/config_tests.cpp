#include <doctest/doctest.h>

#include "config/config.hpp"
#include "scratch_dir.hpp"

using namespace smartq::config;
using smartq::config::testing::ScratchDir;
using namespace std::chrono_literals;

namespace {

const std::string password = "PW-hunter2-MARK";
const std::string api_key = "KEY-0xdeadbeef-MARK";

Environment::Variables base_variables() {
    return {{"HOME", "/home/u"}, {"PW", password}, {"KEY", api_key}};
}

Environment env_with(Environment::Variables extra) {
    auto variables = base_variables();
    for (auto& [name, value] : extra) {
        variables[name] = value;
    }
    return Environment(std::move(variables));
}

// An account that is valid on its own, with secrets from the environment.
std::string account(std::string_view name = "acme", std::string_view extra = "") {
    return "[accounts." + std::string(name) +
           "]\n"
           "url = \"https://acme.smartqweb.com/\"\n"
           "login = \"admin@acme.example\"\n"
           "password_env = \"PW\"\n"
           "api_key_env = \"KEY\"\n" +
           std::string(extra);
}

const std::filesystem::path config_name = "/nonexistent/etc/cfg.toml";

Config parse(std::string_view text, const Environment& env = Environment(base_variables()),
             const Overrides& overrides = {}) {
    return parse_config(text, config_name, env, overrides);
}

// The message of the ConfigError that TEXT must cause.
std::string error_of(std::string_view text, const Environment& env = Environment(base_variables()),
                     const Overrides& overrides = {}) {
    try {
        parse(text, env, overrides);
    } catch (const ConfigError& e) {
        return e.what();
    }
    FAIL("no ConfigError for:\n" << text);
    return {};
}

}  // namespace

TEST_CASE("a minimal config gets every default") {
    auto config = parse(account());
    CHECK(config.source == config_name);
    CHECK(config.data_dir == "/home/u/.local/share/smartq-backup");
    CHECK(config.concurrency == 8);
    CHECK(config.interval == 15min);
    CHECK(config.deep_every == 24h);
    CHECK(config.log_level == "info");
    CHECK_FALSE(config.metrics_listen.has_value());
    CHECK(config.max_requests_in_flight == 32);
    REQUIRE(config.accounts.size() == 1);
    const auto& acme = config.accounts[0];
    CHECK(acme.name == "acme");
    CHECK(acme.url == "https://acme.smartqweb.com");
    CHECK(acme.api_root() == "https://acme.smartqweb.com/api/v1");
    CHECK(acme.login == "admin@acme.example");
    CHECK(acme.password.reveal() == password);
    CHECK(acme.api_key.reveal() == api_key);
    CHECK(acme.files);
    CHECK_FALSE(acme.ca_file.has_value());
    CHECK(acme.concurrency == 8);
    CHECK(acme.interval == 15min);
    CHECK(acme.deep_every == 24h);
    CHECK(acme.data_dir == "/home/u/.local/share/smartq-backup/acme");
}

TEST_CASE("top-level settings are read and accounts inherit them unless they set their own") {
    auto config = parse(
        "data_dir = \"/srv/sq\"\nconcurrency = 4\ninterval = \"1h\"\ndeep_every = \"1w\"\n"
        "log_level = \"debug\"\nmetrics_listen = \"127.0.0.1:9464\"\nmax_in_flight = 100\n" +
        account("inherits") +
        account("own",
                "concurrency = 2\ninterval = \"90s\"\ndeep_every = \"2d\"\nfiles = false\n"));
    CHECK(config.data_dir == "/srv/sq");
    CHECK(config.concurrency == 4);
    CHECK(config.interval == 1h);
    CHECK(config.deep_every == 168h);
    CHECK(config.log_level == "debug");
    CHECK(config.metrics_listen == "127.0.0.1:9464");
    CHECK(config.max_requests_in_flight == 100);
    const auto& inherits = config.account("inherits");
    CHECK(inherits.concurrency == 4);
    CHECK(inherits.interval == 1h);
    CHECK(inherits.deep_every == 168h);
    CHECK(inherits.files);
    CHECK(inherits.data_dir == "/srv/sq/inherits");
    const auto& own = config.account("own");
    CHECK(own.concurrency == 2);
    CHECK(own.interval == 90s);
    CHECK(own.deep_every == 48h);
    CHECK_FALSE(own.files);
}

TEST_CASE("accounts keep the order of the file") {
    auto config = parse(account("zeta") + account("alpha") + account("mid"));
    REQUIRE(config.accounts.size() == 3);
    CHECK(config.accounts[0].name == "zeta");
    CHECK(config.accounts[1].name == "alpha");
    CHECK(config.accounts[2].name == "mid");
}

TEST_CASE("Config::account names the known accounts when the name is wrong") {
    auto config = parse(account("acme") + account("beta"));
    CHECK(config.account("beta").name == "beta");
    CHECK_THROWS_WITH_AS(config.account("gamma"),
                         "/nonexistent/etc/cfg.toml: no account 'gamma'; the configured accounts "
                         "are: acme, beta",
                         ConfigError);
}

TEST_CASE("data_dir defaults to STATE_DIRECTORY, then XDG_DATA_HOME, then HOME") {
    CHECK(parse(account(), env_with({{"STATE_DIRECTORY", "/var/lib/smartq-backup:/var/lib/x"},
                                     {"XDG_DATA_HOME", "/xdg"}}))
              .data_dir == "/var/lib/smartq-backup");
    CHECK(parse(account(), env_with({{"STATE_DIRECTORY", "/var/lib/one"}})).data_dir ==
          "/var/lib/one");
    CHECK(parse(account(), env_with({{"XDG_DATA_HOME", "/xdg"}})).data_dir == "/xdg/smartq-backup");
    CHECK(parse(account(), env_with({{"XDG_DATA_HOME", "relative/xdg"}})).data_dir ==
          "/home/u/.local/share/smartq-backup");
    CHECK(parse(account(), env_with({{"STATE_DIRECTORY", ""}})).data_dir ==
          "/home/u/.local/share/smartq-backup");
    CHECK(error_of(account(), Environment{{"PW", "x"}, {"KEY", "y"}}) ==
          "/nonexistent/etc/cfg.toml: no data_dir: set data_dir in the file, or $STATE_DIRECTORY, "
          "$XDG_DATA_HOME or $HOME");
}

TEST_CASE("a relative data_dir in the file is relative to the file's directory") {
    CHECK(parse("data_dir = \"state\"\n" + account()).data_dir == "/nonexistent/etc/state");
    CHECK(parse("data_dir = \"../var\"\n" + account()).data_dir == "/nonexistent/var");
    CHECK(parse("data_dir = \"/abs\"\n" + account(), env_with({{"STATE_DIRECTORY", "/s"}}))
              .data_dir == "/abs");
}

TEST_CASE("flags beat the environment, which beats the file") {
    const std::string text = "data_dir = \"/file\"\nlog_level = \"warn\"\nconcurrency = 3\n" +
                             account("plain") + account("own", "concurrency = 5\n");
    auto from_file = parse(text);
    CHECK(from_file.data_dir == "/file");
    CHECK(from_file.log_level == "warn");
    CHECK(from_file.concurrency == 3);
    CHECK(from_file.account("own").concurrency == 5);

    auto env = env_with({{"SMARTQ_BACKUP_DATA_DIR", "/env"},
                         {"SMARTQ_BACKUP_LOG_LEVEL", "error"},
                         {"SMARTQ_BACKUP_CONCURRENCY", "7"}});
    auto from_env = parse(text, env);
    CHECK(from_env.data_dir == "/env");
    CHECK(from_env.account("plain").data_dir == "/env/plain");
    CHECK(from_env.log_level == "error");
    CHECK(from_env.concurrency == 7);
    CHECK(from_env.account("plain").concurrency == 7);
    CHECK(from_env.account("own").concurrency == 7);

    auto from_flags = parse(text, env, Overrides{"/flag", "trace", 9});
    CHECK(from_flags.data_dir == "/flag");
    CHECK(from_flags.log_level == "trace");
    CHECK(from_flags.concurrency == 9);
    CHECK(from_flags.account("own").concurrency == 9);

    auto empty_env = env_with({{"SMARTQ_BACKUP_DATA_DIR", ""},
                               {"SMARTQ_BACKUP_LOG_LEVEL", ""},
                               {"SMARTQ_BACKUP_CONCURRENCY", ""}});
    CHECK(parse(text, empty_env).log_level == "warn");
}

TEST_CASE("relative data_dir overrides are relative to the working directory") {
    auto cwd = std::filesystem::current_path();
    CHECK(parse(account(), env_with({{"SMARTQ_BACKUP_DATA_DIR", "d"}})).data_dir == cwd / "d");
    CHECK(parse(account(), Environment(base_variables()), Overrides{"f", {}, {}}).data_dir ==
          cwd / "f");
}

TEST_CASE("bad overrides are configuration errors naming their origin") {
    CHECK(error_of(account(), env_with({{"SMARTQ_BACKUP_CONCURRENCY", "lots"}})) ==
          "environment variable SMARTQ_BACKUP_CONCURRENCY: 'lots' is not a whole number in 1..64");
    CHECK(error_of(account(), env_with({{"SMARTQ_BACKUP_CONCURRENCY", "65"}})) ==
          "environment variable SMARTQ_BACKUP_CONCURRENCY: '65' is not a whole number in 1..64");
    CHECK(error_of(account(), env_with({{"SMARTQ_BACKUP_CONCURRENCY", "4x"}})).find("'4x'") !=
          std::string::npos);
    CHECK(error_of(account(), env_with({{"SMARTQ_BACKUP_LOG_LEVEL", "loud"}})) ==
          "environment variable SMARTQ_BACKUP_LOG_LEVEL: 'loud' is not a log level (trace, "
          "debug, info, warn, error, critical, off)");
    CHECK(error_of(account(), Environment(base_variables()), Overrides{{}, {}, 0}) ==
          "--concurrency: '0' is not a whole number in 1..64");
    CHECK(error_of(account(), Environment(base_variables()), Overrides{{}, "chatty", {}})
              .starts_with("--log-level: 'chatty' is not a log level"));
    CHECK(error_of(account(), Environment(base_variables()), Overrides{"", {}, {}}) ==
          "--data-dir: is empty");
}

TEST_CASE("an unknown key is reported with its line and the closest known key") {
    CHECK(error_of("concurrency = 2\nintervall = \"1h\"\n" + account()) ==
          "/nonexistent/etc/cfg.toml:2: key 'intervall': unknown key; did you mean 'interval'?");
    CHECK(error_of(account("acme", "pasword_file = \"x\"\n")) ==
          "/nonexistent/etc/cfg.toml:6: key 'accounts.acme.pasword_file': unknown key; did you "
          "mean 'password_file'?");
    CHECK(error_of("colour = \"blue\"\n" + account()) ==
          "/nonexistent/etc/cfg.toml:1: key 'colour': unknown key");
    CHECK(error_of("[account.acme]\nurl = \"x\"\n") ==
          "/nonexistent/etc/cfg.toml:1: key 'account': unknown key; did you mean 'accounts'?");
}

TEST_CASE("a value of the wrong type names the expected type") {
    CHECK(error_of("concurrency = \"8\"\n" + account()) ==
          "/nonexistent/etc/cfg.toml:1: key 'concurrency': expected an integer, got a string");
    CHECK(error_of("interval = 900\n" + account()) ==
          "/nonexistent/etc/cfg.toml:1: key 'interval': expected a duration string such as "
          "\"15m\", got an integer");
    CHECK(error_of("log_level = true\n" + account())
              .ends_with("key 'log_level': expected a string, got a boolean"));
    CHECK(error_of("data_dir = [\"/a\"]\n" + account())
              .ends_with("key 'data_dir': expected a string, got an array"));
    CHECK(error_of(account("acme", "files = \"yes\"\n")) ==
          "/nonexistent/etc/cfg.toml:6: key 'accounts.acme.files': expected true or false, got a "
          "string");
    CHECK(error_of(account("acme", "concurrency = 2.5\n"))
              .ends_with("key 'accounts.acme.concurrency': expected an integer, got a "
                         "floating-point number"));
    CHECK(error_of(account("acme", "url2 = 1\n")).find("did you mean 'url'") != std::string::npos);
    CHECK(error_of("accounts = 3\n") ==
          "/nonexistent/etc/cfg.toml:1: key 'accounts': expected a table of [accounts.NAME] "
          "tables, got an integer");
    CHECK(error_of("[accounts]\nacme = \"x\"\n") ==
          "/nonexistent/etc/cfg.toml:2: key 'accounts.acme': expected an [accounts.acme] table, "
          "got a string");
}

TEST_CASE("bad durations, ranges, levels and addresses point at their key") {
    CHECK(
        error_of("interval = \"15 fortnights\"\n" + account())
            .starts_with(
                "/nonexistent/etc/cfg.toml:1: key 'interval': '15 fortnights' is not a duration"));
    CHECK(error_of(account("acme", "deep_every = \"0s\"\n"))
              .starts_with("/nonexistent/etc/cfg.toml:6: key 'accounts.acme.deep_every': '0s' is "
                           "not a duration"));
    CHECK(error_of("concurrency = 0\n" + account()) ==
          "/nonexistent/etc/cfg.toml:1: key 'concurrency': 0 is not in 1..64");
    CHECK(error_of("concurrency = 65\n" + account()) ==
          "/nonexistent/etc/cfg.toml:1: key 'concurrency': 65 is not in 1..64");
    CHECK(error_of("concurrency = -3\n" + account()).ends_with("-3 is not in 1..64"));
    CHECK(error_of(account("acme", "concurrency = 99999999999\n"))
              .ends_with("key 'accounts.acme.concurrency': 99999999999 is not in 1..64"));
    CHECK(parse("concurrency = 64\n" + account()).concurrency == 64);
    CHECK(parse("concurrency = 1\n" + account()).concurrency == 1);
    CHECK(error_of("max_in_flight = 0\n" + account()) ==
          "/nonexistent/etc/cfg.toml:1: key 'max_in_flight': 0 is not in 1..1024");
    CHECK(error_of("log_level = \"verbose\"\n" + account()) ==
          "/nonexistent/etc/cfg.toml:1: key 'log_level': 'verbose' is not a log level (trace, "
          "debug, info, warn, error, critical, off)");
    CHECK(error_of("metrics_listen = \"9464\"\n" + account())
              .starts_with("/nonexistent/etc/cfg.toml:1: key 'metrics_listen': must be HOST:PORT"));
}

TEST_CASE("a bad url points at its key") {
    auto with_url = [](std::string_view url) {
        return "[accounts.acme]\nlogin = \"a\"\npassword_env = \"PW\"\napi_key_env = \"KEY\"\n"
               "url = \"" +
               std::string(url) + "\"\n";
    };
    CHECK(error_of(with_url("acme.smartqweb.com")) ==
          "/nonexistent/etc/cfg.toml:5: key 'accounts.acme.url': must start with http:// or "
          "https://");
    CHECK(error_of(with_url("https://acme/api/v1")).ends_with("without /api/v1"));
    CHECK(parse(with_url("http://127.0.0.1:8080")).accounts[0].url == "http://127.0.0.1:8080");
}

TEST_CASE("missing url, login or secrets are reported at the account's table") {
    const std::string head = "log_level = \"info\"\n[accounts.acme]\n";
    CHECK(error_of(head + "login = \"a\"\npassword_env = \"PW\"\napi_key_env = \"KEY\"\n")
              .starts_with("/nonexistent/etc/cfg.toml:2: key 'accounts.acme': missing url"));
    CHECK(error_of(head + "url = \"https://a\"\npassword_env = \"PW\"\napi_key_env = \"KEY\"\n") ==
          "/nonexistent/etc/cfg.toml:2: key 'accounts.acme': missing login");
    CHECK(error_of(head + "url = \"https://a\"\nlogin = \"\"\npassword_env = \"PW\"\n"
                          "api_key_env = \"KEY\"\n") ==
          "/nonexistent/etc/cfg.toml:2: key 'accounts.acme': missing login");
    CHECK(error_of(head + "url = \"https://a\"\nlogin = \"a\"\napi_key_env = \"KEY\"\n") ==
          "/nonexistent/etc/cfg.toml:2: key 'accounts.acme': missing password: set password_file "
          "or password_env");
    CHECK(error_of(head + "url = \"https://a\"\nlogin = \"a\"\npassword_env = \"PW\"\n") ==
          "/nonexistent/etc/cfg.toml:2: key 'accounts.acme': missing api_key: set api_key_file "
          "or api_key_env");
}

TEST_CASE("a secret must come from exactly one source") {
    CHECK(error_of(account("acme", "password_file = \"pw\"\n")) ==
          "/nonexistent/etc/cfg.toml:1: key 'accounts.acme': set only one of password, "
          "password_file and password_env");
    CHECK(error_of(account("acme", "api_key = \"inline\"\n")) ==
          "/nonexistent/etc/cfg.toml:1: key 'accounts.acme': set only one of api_key, "
          "api_key_file and api_key_env");
}

TEST_CASE("a missing or empty secret variable is named, and its key located") {
    auto text =
        "[accounts.acme]\nurl = \"https://a\"\nlogin = \"a\"\npassword_env = \"ACME_PW\"\n"
        "api_key_env = \"KEY\"\n";
    CHECK(error_of(text) ==
          "/nonexistent/etc/cfg.toml:4: key 'accounts.acme.password_env': "
          "environment variable ACME_PW is not set");
    CHECK(error_of(text, env_with({{"ACME_PW", ""}})) ==
          "/nonexistent/etc/cfg.toml:4: key 'accounts.acme.password_env': environment variable "
          "ACME_PW is empty");
}

TEST_CASE("no accounts is an error") {
    CHECK(error_of("") ==
          "/nonexistent/etc/cfg.toml: no accounts: add an [accounts.NAME] table with url, login, "
          "password_file and api_key_file");
    CHECK(error_of("[accounts]\n").starts_with("/nonexistent/etc/cfg.toml: no accounts"));
}

TEST_CASE("account names must be safe directory names") {
    CHECK(
        error_of(account("\"a b\""))
            .starts_with(
                "/nonexistent/etc/cfg.toml:1: key 'accounts.a b': an account name may hold only"));
    CHECK(error_of(account("\"..\"")).starts_with("/nonexistent/etc/cfg.toml:1: key 'accounts..."));
    CHECK(parse(account("\"acme.prod\"")).accounts[0].name == "acme.prod");
}

TEST_CASE("a duplicate account or key has the same one-sentence shape") {
    CHECK(error_of(account("acme") + account("beta") + account("acme")) ==
          "/nonexistent/etc/cfg.toml:11: key 'accounts.acme': duplicate account; each "
          "[accounts.acme] table may appear only once");
    CHECK(error_of("concurrency = 1\nconcurrency = 2\n" + account()) ==
          "/nonexistent/etc/cfg.toml:2: key 'concurrency': defined twice");
}

TEST_CASE("a TOML syntax error gives file, line and toml++'s description") {
    auto message = error_of("concurrency = 2\ninterval = \"15m\n" + account());
    CHECK(message.starts_with("/nonexistent/etc/cfg.toml:2: TOML syntax error: "));
    CHECK(message.find("(column ") != std::string::npos);
    CHECK(
        error_of("[accounts.acme\n").starts_with("/nonexistent/etc/cfg.toml:1: TOML syntax error"));
}

TEST_CASE("secrets never appear in error messages") {
    const std::string inline_secrets =
        "[accounts.acme]\nurl = \"https://a\"\nlogin = \"a\"\n"
        "password = \"" +
        password + "\"\napi_key = \"" + api_key + "\"\n";
    std::vector<std::string> messages{
        error_of(inline_secrets + "bogus = 1\n"),
        error_of(inline_secrets + "concurrency = \"x\"\n"),
        error_of(inline_secrets + "password_env = \"PW\"\n"),
        error_of(account("acme", "interval = \"x\"\n")),
        error_of(account("acme", "ca_file = \"/nonexistent/ca.pem\"\n")),
        error_of(account("acme"), env_with({{"SMARTQ_BACKUP_CONCURRENCY", "0"}})),
        error_of("[accounts.acme]\nurl = \"https://admin:" + password + "@acme\"\n"),
        error_of("[accounts.acme]\npassword = " + password + "\n"),
        error_of("[accounts.acme]\npassword = \"" + password + "\n"),
        error_of("[accounts.acme]\n\"api_key\" = 12" + api_key + "\n"),
        error_of("[accounts.acme]\npassword = \"" + password + "\" x\n"),
        error_of("[accounts.acme]\nlogin = \"a\"\n" + std::string("password = 0x") + password +
                 "\n"),
    };
    for (const auto& message : messages) {
        CAPTURE(message);
        CHECK(message.find("MARK") == std::string::npos);
        CHECK(message.find("hunter2") == std::string::npos);
    }
}

TEST_CASE("a syntax error in an inline secret withholds toml++'s quote of the value") {
    // toml++ quotes the text of a malformed number or boolean in its message.
    for (std::string_view line :
         {"password = 73914628501937462819", "api_key=73914628501937462819",
          "\"password\" = 73914628501937462819",
          "acme = { url = \"https://a\", api_key = 73914628501937462819 }"}) {
        CAPTURE(line);
        auto message = error_of("[accounts]\n" + std::string(line) + "\n");
        CHECK(message ==
              "/nonexistent/etc/cfg.toml:2: TOML syntax error in the value of a secret (details "
              "withheld)");
    }
    CHECK(error_of("concurrency = 73914628501937462819\n").find("73914628501937462819") !=
          std::string::npos);
}

TEST_CASE("default_config_path prefers $SMARTQ_BACKUP_CONFIG") {
    CHECK(default_config_path(Environment()) == "/etc/smartq-backup/config.toml");
    CHECK(default_config_path(Environment{{"SMARTQ_BACKUP_CONFIG", "/tmp/x.toml"}}) ==
          "/tmp/x.toml");
    CHECK(default_config_path(Environment{{"SMARTQ_BACKUP_CONFIG", ""}}) ==
          "/etc/smartq-backup/config.toml");
}

TEST_CASE("load_config reads the file and resolves secret files next to it") {
    ScratchDir dir;
    dir.write("acme.password", password + "\n");
    dir.write("keys/acme.key", api_key + "\n");
    auto file = dir.write("config.toml",
                          "data_dir = \"state\"\n[accounts.acme]\nurl = \"https://a\"\n"
                          "login = \"a\"\npassword_file = \"acme.password\"\n"
                          "api_key_file = \"keys/acme.key\"\n",
                          0644);
    auto config = load_config(file, Environment());
    CHECK(config.source == file);
    CHECK(config.data_dir == dir.path() / "state");
    CHECK(config.accounts[0].password.reveal() == password);
    CHECK(config.accounts[0].api_key.reveal() == api_key);
}

TEST_CASE("a bare secret file name is read from CREDENTIALS_DIRECTORY when set") {
    ScratchDir dir;
    dir.write("creds/acme.password", "from-credentials\n", 0400);
    dir.write("creds/acme.key", "key-from-credentials", 0400);
    dir.write("acme.password", "next-to-config\n");
    auto text =
        "[accounts.acme]\nurl = \"https://a\"\nlogin = \"a\"\n"
        "password_file = \"acme.password\"\napi_key_file = \"acme.key\"\n";
    auto config = parse_config(
        text, dir.path() / "config.toml",
        Environment({{"HOME", "/h"}, {"CREDENTIALS_DIRECTORY", (dir.path() / "creds").string()}}));
    CHECK(config.accounts[0].password.reveal() == "from-credentials");
    CHECK(config.accounts[0].api_key.reveal() == "key-from-credentials");
}

TEST_CASE("secret file problems are located at their key") {
    ScratchDir dir;
    auto config_file = dir.path() / "config.toml";
    auto text_with = [](std::string_view password_file) {
        return "[accounts.acme]\nurl = \"https://a\"\nlogin = \"a\"\napi_key_env = \"KEY\"\n"
               "password_file = \"" +
               std::string(password_file) + "\"\n";
    };
    auto message = [&](std::string_view password_file) {
        try {
            parse_config(text_with(password_file), config_file, Environment(base_variables()));
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    auto prefix = config_file.string() + ":5: key 'accounts.acme.password_file': ";
    auto shared = dir.write("shared.pw", password + "\n", 0640);
    CHECK(message("shared.pw") ==
          prefix + shared.string() + " is readable by others; chmod 600 it");
    auto empty = dir.write("empty.pw", "\n\n");
    CHECK(message("empty.pw") == prefix + empty.string() + " is empty");
    CHECK(message("absent.pw") == prefix + "cannot read " + (dir.path() / "absent.pw").string() +
                                      ": No such file or directory");
    dir.write("sub/x", "");
    CHECK(message("sub") ==
          prefix + "cannot read " + (dir.path() / "sub").string() + ": not a regular file");
}

TEST_CASE("an inline secret is allowed only when the config file is private") {
    ScratchDir dir;
    const std::string text =
        "[accounts.acme]\nurl = \"https://a\"\nlogin = \"a\"\n"
        "password = \"" +
        password + "\"\napi_key = \"" + api_key + "\"\n";
    auto file = dir.write("config.toml", text, 0600);
    auto config = load_config(file, Environment(base_variables()));
    CHECK(config.accounts[0].password.reveal() == password);
    CHECK(config.accounts[0].api_key.reveal() == api_key);

    for (mode_t mode : {0640, 0604}) {
        CAPTURE(mode);
        dir.write("config.toml", text, mode);
        std::string expected = file.string() +
                               ":4: key 'accounts.acme.password': an inline secret "
                               "is refused because " +
                               file.string() +
                               " is readable by others; chmod 600 it or use password_file";
        CHECK_THROWS_WITH_AS(load_config(file, Environment(base_variables())), expected.c_str(),
                             ConfigError);
        CHECK_THROWS_WITH_AS(parse_config(text, file, Environment(base_variables())),
                             expected.c_str(), ConfigError);
    }
    CHECK(parse_config(text, dir.path() / "not-on-disk.toml", Environment(base_variables()))
              .accounts[0]
              .password.reveal() == password);
    CHECK(error_of("[accounts.acme]\nurl = \"https://a\"\nlogin = \"a\"\npassword = \"\"\n"
                   "api_key_env = \"KEY\"\n") ==
          "/nonexistent/etc/cfg.toml:4: key 'accounts.acme.password': is empty");
}

TEST_CASE("an unreadable config file is a ConfigError naming it") {
    ScratchDir dir;
    CHECK_THROWS_WITH_AS(load_config(dir.path() / "absent.toml", Environment()),
                         ("configuration: cannot read " + (dir.path() / "absent.toml").string() +
                          ": No such file or directory")
                             .c_str(),
                         ConfigError);
    CHECK_THROWS_WITH_AS(load_config(dir.path(), Environment()),
                         doctest::Contains("not a regular file"), ConfigError);
}

TEST_CASE("ca_file is resolved next to the config and must be readable") {
    ScratchDir dir;
    dir.write("ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644);
    auto file = dir.path() / "config.toml";
    auto config = parse_config(account("acme", "ca_file = \"ca.pem\"\n"), file,
                               Environment(base_variables()));
    CHECK(config.accounts[0].ca_file == dir.path() / "ca.pem");
    CHECK_THROWS_WITH_AS(parse_config(account("acme", "ca_file = \"missing.pem\"\n"), file,
                                      Environment(base_variables())),
                         (file.string() + ":6: key 'accounts.acme.ca_file': cannot read " +
                          (dir.path() / "missing.pem").string() + ": No such file or directory")
                             .c_str(),
                         ConfigError);
    CHECK_THROWS_WITH_AS(
        parse_config(account("acme", "ca_file = \".\"\n"), file, Environment(base_variables())),
        doctest::Contains("not a regular file"), ConfigError);
}

TEST_CASE("the example config shipped with the units is valid") {
    ScratchDir credentials;
    credentials.write("acme.password", "example-password\n", 0400);
    credentials.write("acme.key", "example-key\n", 0400);
    auto config = load_config(SMARTQ_EXAMPLE_CONFIG,
                              Environment{{"STATE_DIRECTORY", "/var/lib/smartq-backup"},
                                          {"CREDENTIALS_DIRECTORY", credentials.path().string()}});
    CHECK(config.data_dir == "/var/lib/smartq-backup");
    CHECK(config.concurrency == 8);
    CHECK(config.max_requests_in_flight == 32);
    REQUIRE(config.accounts.size() == 1);
    CHECK(config.accounts[0].name == "acme");
    CHECK(config.accounts[0].password.reveal() == "example-password");
    CHECK(config.accounts[0].api_key.reveal() == "example-key");
}

// The transport keys: defaults, inheritance, and one sentence for each bad value.
TEST_CASE("transport keys default sensibly, are inherited and overridden per account") {
    auto defaults = parse(account()).accounts[0].transport;
    CHECK_FALSE(defaults.rate_limit);
    CHECK(defaults.request_timeout == std::chrono::seconds(120));
    CHECK(defaults.retry_for == std::chrono::seconds(600));
    CHECK(defaults.max_answer_size == 64u << 20);
    auto config = parse(
        "rate_limit = 50\nrequest_timeout = \"30s\"\nretry_for = \"1h\"\n"
        "max_answer_size = \"8MiB\"\n" +
        account("acme") + account("beta", "rate_limit = 2.5\nmax_answer_size = 65536\n"));
    const auto& acme = config.account("acme").transport;
    CHECK(*acme.rate_limit == 50.0);
    CHECK(acme.request_timeout == std::chrono::seconds(30));
    CHECK(acme.retry_for == std::chrono::seconds(3600));
    CHECK(acme.max_answer_size == 8u << 20);
    const auto& beta = config.account("beta").transport;
    CHECK(*beta.rate_limit == 2.5);
    CHECK(beta.request_timeout == std::chrono::seconds(30));
    CHECK(beta.max_answer_size == 65536);
}

TEST_CASE("bad transport values point at their key with one sentence") {
    CHECK(error_of("rate_limit = 0\n" + account()) ==
          "/nonexistent/etc/cfg.toml:1: key 'rate_limit': must be a number of requests per second "
          "above 0 and at most 100000");
    CHECK(error_of(account("acme", "rate_limit = \"fast\"\n")) ==
          "/nonexistent/etc/cfg.toml:6: key 'accounts.acme.rate_limit': expected a number of "
          "requests per second, got a string");
    CHECK(error_of(account("acme", "request_timeout = \"0s\"\n"))
              .starts_with("/nonexistent/etc/cfg.toml:6: key 'accounts.acme.request_timeout': "
                           "'0s' is not a duration"));
    CHECK(error_of("retry_for = 600\n" + account())
              .starts_with("/nonexistent/etc/cfg.toml:1: key 'retry_for': expected a duration"));
    CHECK(error_of("max_answer_size = \"64MB\"\n" + account()) ==
          "/nonexistent/etc/cfg.toml:1: key 'max_answer_size': '64MB' is not a size (units are B, "
          "KiB, MiB and GiB; write e.g. \"64MiB\", \"512KiB\", \"1GiB\")");
    CHECK(error_of("max_answer_size = 10\n" + account()) ==
          "/nonexistent/etc/cfg.toml:1: key 'max_answer_size': '10B' is not a size (it must be "
          "between 1KiB and 4GiB; write e.g. \"64MiB\", \"512KiB\", \"1GiB\")");
    CHECK(error_of("max_answer_size = \"5GiB\"\n" + account())
              .find("it must be between 1KiB and 4GiB") != std::string::npos);
}

// [retention]: forget's options and prune, at the top level or per account.
TEST_CASE("retention is off unless set and an account's table replaces the top level's") {
    CHECK_FALSE(parse(account()).retention);
    CHECK_FALSE(parse(account()).accounts[0].retention);
    auto config = parse(
        "[retention]\nkeep_last = 3\nkeep_within = \"2 days\"\nkeep_daily = 7\n"
        "keep_weekly = 4\nkeep_monthly = 12\n" +
        account("acme") + account("beta") + "[accounts.beta.retention]\nkeep_last = 1\n" +
        "prune = false\n");
    const auto& acme = config.account("acme").retention;
    REQUIRE(acme);
    CHECK(acme->keep_last == 3);
    CHECK(acme->keep_within == std::chrono::seconds(2 * 86400));
    CHECK(acme->keep_daily == 7);
    CHECK(acme->keep_weekly == 4);
    CHECK(acme->keep_monthly == 12);
    CHECK(acme->prune);
    const auto& beta = config.account("beta").retention;
    REQUIRE(beta);
    CHECK(beta->keep_last == 1);
    CHECK_FALSE(beta->keep_within);
    CHECK(beta->keep_daily == 0);
    CHECK(beta->keep_monthly == 0);
    CHECK_FALSE(beta->prune);
    auto one_account = parse(account() + "[accounts.acme.retention]\nkeep_within = \"1h\"\n");
    CHECK_FALSE(one_account.retention);
    CHECK(one_account.accounts[0].retention->keep_within == std::chrono::seconds(3600));
}

TEST_CASE("a bad retention policy is one sentence at its key") {
    CHECK(error_of("[retention]\nkeep_last = -1\n" + account()) ==
          "/nonexistent/etc/cfg.toml:2: key 'retention.keep_last': -1 is not in 0..1000000");
    CHECK(error_of(account() + "[accounts.acme.retention]\nkeep_dayly = 7\n") ==
          "/nonexistent/etc/cfg.toml:7: key 'accounts.acme.retention.keep_dayly': unknown key; "
          "did you mean 'keep_daily'?");
    CHECK(error_of("[retention]\nkeep_weekly = \"4\"\n" + account()) ==
          "/nonexistent/etc/cfg.toml:2: key 'retention.keep_weekly': expected an integer, got a "
          "string");
    CHECK(error_of("[retention]\nkeep_within = \"3 fortnights\"\n" + account())
              .starts_with("/nonexistent/etc/cfg.toml:2: key 'retention.keep_within': '3 "
                           "fortnights' is not a duration"));
    CHECK(error_of("[retention]\nkeep_last = 2\nprune = \"yes\"\n" + account()) ==
          "/nonexistent/etc/cfg.toml:3: key 'retention.prune': expected true or false, got a "
          "string");
    CHECK(error_of("[retention]\nprune = true\n" + account()) ==
          "/nonexistent/etc/cfg.toml:1: key 'retention': no policy: set keep_last, keep_within, "
          "keep_daily, keep_weekly or keep_monthly");
    auto zero = error_of("[retention]\nkeep_monthly = 0\n" + account());
    CHECK(
        zero.ends_with("key 'retention': no policy: set keep_last, keep_within, keep_daily, "
                       "keep_weekly or keep_monthly"));
    CHECK(error_of("retention = 3\n" + account()) ==
          "/nonexistent/etc/cfg.toml:1: key 'retention': expected a [retention] table or false, "
          "got an integer");
    CHECK(error_of(account("acme", "retention = \"daily\"\n")) ==
          "/nonexistent/etc/cfg.toml:6: key 'accounts.acme.retention': expected a "
          "[accounts.acme.retention] table or false, got a string");
    CHECK(error_of(account("acme", "retention = true\n")) ==
          "/nonexistent/etc/cfg.toml:6: key 'accounts.acme.retention': expected a "
          "[accounts.acme.retention] table or false, got true");
}

TEST_CASE("retention = false in an account switches the top level's policy off for it") {
    auto config = parse("[retention]\nkeep_last = 3\n" + account("acme", "retention = false\n") +
                        account("beta"));
    CHECK_FALSE(config.account("acme").retention);
    REQUIRE(config.account("beta").retention);
    CHECK(config.account("beta").retention->keep_last == 3);
    CHECK_FALSE(parse("retention = false\n" + account()).accounts[0].retention);
}
