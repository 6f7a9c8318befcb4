#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.hpp"
#include "config/duration.hpp"
#include "config/environment.hpp"
#include "config/secret.hpp"

namespace smartq::config {

// How the client talks to a server; set at the top level, overridden per account.
struct TransportConfig {
    std::optional<double> rate_limit;           // requests per second, never exceeded
    std::chrono::seconds request_timeout{120};  // one request, send to last byte of the answer
    std::chrono::seconds retry_for{600};        // retries of one request stop after this
    std::uint64_t max_answer_size = 64u << 20;  // bytes of a JSON answer
};

// An HTTP proxy that an account's connections tunnel through (CONNECT).
struct ProxyConfig {
    std::string host;
    std::uint16_t port = 1080;
    std::string user;  // empty: the proxy is sent no credentials
    Secret password;
    std::string no_proxy;  // $no_proxy, else $NO_PROXY: hosts reached directly (curl's rules)
};

// What the daemon forgets after each successful run of an account, as
// `forget`'s options (0 and nullopt: not set), then whether it prunes.
struct RetentionConfig {
    std::size_t keep_last = 0;
    std::size_t keep_daily = 0;
    std::size_t keep_weekly = 0;
    std::size_t keep_monthly = 0;
    std::optional<std::chrono::seconds> keep_within;
    bool prune = true;
};

struct AccountConfig {
    std::string name;  // the [accounts.NAME] key; [A-Za-z0-9_.-]+, never "." or ".."
    std::string url;   // http:// or https://, no trailing slash; API root = url + "/api/v1"
    std::string login;
    Secret password;
    Secret api_key;
    bool files = true;                             // download attachments
    std::optional<std::filesystem::path> ca_file;  // absolute, exists and is readable
    // Its own `proxy` key, else the top level's, else the environment's; nullopt: none.
    std::optional<ProxyConfig> proxy;
    int concurrency = 8;  // inherited from the top level unless set
    std::chrono::seconds interval{900};
    std::chrono::seconds deep_every{86400};
    TransportConfig transport;  // inherited from the top level unless set
    // [accounts.NAME.retention] replaces [retention] as a whole, `retention = false` turns
    // it off; nullopt: keep everything.
    std::optional<RetentionConfig> retention;
    std::filesystem::path data_dir;  // <Config::data_dir>/<name>

    std::string api_root() const { return url + "/api/v1"; }
};

struct Config {
    std::filesystem::path source;    // the file it came from, as given
    std::filesystem::path data_dir;  // absolute
    int concurrency = 8;
    std::chrono::seconds interval{900};
    std::chrono::seconds deep_every{86400};
    std::string log_level = "info";             // trace debug info warn error critical off
    std::optional<std::string> metrics_listen;  // "127.0.0.1:9464", "[::1]:9464"
    // `serve` beyond loopback: Basic auth with this file's password (read when serve starts).
    std::optional<std::filesystem::path> serve_password_file;
    int max_requests_in_flight = 32;           // daemon-wide limit (key: max_in_flight)
    std::optional<double> max_rate;            // requests per second, all accounts together
    TransportConfig transport;                 // the accounts' defaults
    std::optional<RetentionConfig> retention;  // the accounts' default ([retention])
    std::vector<AccountConfig> accounts;       // in file order

    // Throws ConfigError naming the accounts that do exist.
    const AccountConfig& account(std::string_view name) const;
};

// Command-line flags. They beat the environment (SMARTQ_BACKUP_DATA_DIR,
// SMARTQ_BACKUP_LOG_LEVEL, SMARTQ_BACKUP_CONCURRENCY), which beats the file.
// A concurrency override applies to every account, including those that set
// their own.
struct Overrides {
    std::optional<std::filesystem::path> data_dir;
    std::optional<std::string> log_level;
    std::optional<int> concurrency;
};

// Where to read the configuration when --config is not given:
// $SMARTQ_BACKUP_CONFIG, else /etc/smartq-backup/config.toml.
std::filesystem::path default_config_path(const Environment& env);

// Reads, parses and validates the file, its secrets and the overrides.
// Throws ConfigError on any mistake.
Config load_config(const std::filesystem::path& file, const Environment& env,
                   const Overrides& overrides = {});

// As load_config, for text already in memory. NAME is used in messages and
// to resolve relative paths; inline secrets are refused when NAME is a file
// that group or others can read.
Config parse_config(std::string_view toml_text, const std::filesystem::path& name,
                    const Environment& env, const Overrides& overrides = {});

}  // namespace smartq::config
