#include "config/config.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include <spdlog/spdlog.h>
#include <toml++/toml.h>

#include "config/file_access.hpp"
#include "config/proxy_setting.hpp"
#include "config/retention_table.hpp"
#include "config/secret_source.hpp"
#include "config/table_reader.hpp"
#include "config/values.hpp"

namespace smartq::config {
namespace {

constexpr std::size_t max_config_file_size = 1024 * 1024;
constexpr int max_concurrency = 64;
constexpr int max_in_flight_limit = 1024;

constexpr std::array<std::string_view, 16> top_level_keys{
    "data_dir",        "concurrency",         "interval",        "deep_every",
    "log_level",       "metrics_listen",      "max_in_flight",   "max_rate",
    "accounts",        "rate_limit",          "request_timeout", "retry_for",
    "max_answer_size", "serve_password_file", "retention",       "proxy"};
constexpr std::array<std::string_view, 19> account_keys{
    "url",         "login",           "password",    "password_file", "password_env",
    "api_key",     "api_key_file",    "api_key_env", "files",         "ca_file",
    "concurrency", "interval",        "deep_every",  "rate_limit",    "request_timeout",
    "retry_for",   "max_answer_size", "retention",   "proxy"};

// What the parser needs to know besides the text.
struct Context {
    const std::filesystem::path& file;
    std::filesystem::path directory;  // relative paths in the file start here
    bool text_is_private;             // inline secrets allowed
    const Environment& env;
};

std::filesystem::path resolve(const std::filesystem::path& directory, std::string_view value) {
    std::filesystem::path path(value);
    return (path.is_absolute() ? path : directory / path).lexically_normal();
}

// password / password_file / password_env, or the api_key trio.
Secret read_secret(const TableReader& account, const std::string& what, const Context& context) {
    const std::string file_key = what + "_file";
    const std::string env_key = what + "_env";
    auto given = account.has(what) + account.has(file_key) + account.has(env_key);
    if (given == 0) {
        account.fail_here("missing " + what + ": set " + file_key + " or " + env_key);
    }
    if (given > 1) {
        account.fail_here("set only one of " + what + ", " + file_key + " and " + env_key);
    }
    if (auto file = account.string(file_key)) {
        return account.checked(file_key, [&] {
            return read_secret_file(secret_file_path(*file, context.directory, context.env));
        });
    }
    if (auto variable = account.string(env_key)) {
        return account.checked(env_key, [&] { return read_secret_env(*variable, context.env); });
    }
    auto inline_value = account.string(what);
    if (!context.text_is_private) {
        account.fail(what, "an inline secret is refused because " + context.file.string() +
                               " is readable by others; chmod 600 it or use " + file_key);
    }
    if (inline_value->empty()) {
        account.fail(what, "is empty");
    }
    return Secret(std::move(*inline_value));
}

AccountConfig read_account(const TableReader& account, const std::string& name,
                           const Config& defaults, const ProxyKey& top_proxy,
                           const Context& context) {
    account.refuse_unknown_keys(account_keys);
    AccountConfig result;
    result.name = name;
    auto url = account.string("url");
    if (!url) {
        account.fail_here("missing url (the site, e.g. \"https://acme.smartqweb.com\")");
    }
    result.url = account.checked("url", [&] { return normalise_url(*url); });
    auto login = account.string("login");
    if (!login || login->empty()) {
        account.fail_here("missing login");
    }
    result.login = std::move(*login);
    result.password = read_secret(account, "password", context);
    result.api_key = read_secret(account, "api_key", context);
    result.files = account.get<bool>("files", "true or false").value_or(true);
    if (auto ca_file = account.string("ca_file")) {
        result.ca_file = resolve(context.directory, *ca_file);
        account.checked("ca_file", [&] { check_readable_file(*result.ca_file); });
    }
    result.proxy = choose_proxy(read_proxy_key(account, context.text_is_private), top_proxy,
                                result.url, context.env);
    result.concurrency =
        account.integer_in("concurrency", 1, max_concurrency).value_or(defaults.concurrency);
    result.interval = account.duration("interval").value_or(defaults.interval);
    result.deep_every = account.duration("deep_every").value_or(defaults.deep_every);
    result.transport = account.transport(defaults.transport);
    result.retention = read_retention(account, defaults.retention, context.file);
    result.data_dir = defaults.data_dir / name;
    return result;
}

std::vector<AccountConfig> read_accounts(const TableReader& top, const Config& defaults,
                                         const Context& context) {
    ProxyKey top_proxy = read_proxy_key(top, context.text_is_private);
    const toml::node* node = top.table().get("accounts");
    const toml::table* accounts = node ? node->as_table() : nullptr;
    if (node && !accounts) {
        top.fail("accounts", "expected a table of [accounts.NAME] tables, got " +
                                 std::string(type_name(node->type())));
    }
    if (!accounts || accounts->empty()) {
        throw ConfigError(context.file.string() +
                          ": no accounts: add an [accounts.NAME] table with url, login, "
                          "password_file and api_key_file");
    }
    // toml++ keeps keys sorted; users expect the order they wrote.
    std::vector<std::pair<std::string, const toml::node*>> ordered;
    for (auto&& [key, value] : *accounts) {
        ordered.emplace_back(key.str(), &value);
    }
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
        return a.second->source().begin < b.second->source().begin;
    });
    TableReader accounts_reader(*accounts, "accounts", context.file);
    std::vector<AccountConfig> result;
    for (const auto& [name, value] : ordered) {
        accounts_reader.checked(name, [&] { check_account_name(name); });
        const toml::table* table = value->as_table();
        if (!table) {
            accounts_reader.fail(name, "expected an [accounts." + name + "] table, got " +
                                           std::string(type_name(value->type())));
        }
        result.push_back(read_account(TableReader(*table, "accounts." + name, context.file), name,
                                      defaults, top_proxy, context));
    }
    return result;
}

// An override from the environment; an empty variable counts as unset, as
// shells make "VAR= command" the usual way to clear one.
std::optional<std::string> env_override(const Environment& env, std::string_view name) {
    auto value = env.get(name);
    return value && !value->empty() ? value : std::nullopt;
}

int parse_concurrency(std::string_view origin, std::string_view text) {
    int value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end != text.data() + text.size() || value < 1 ||
        value > max_concurrency) {
        throw ConfigError(std::string(origin) + ": '" + std::string(text) +
                          "' is not a whole number in 1.." + std::to_string(max_concurrency));
    }
    return value;
}

template <typename Check>
void check_override(std::string_view origin, Check&& check) {
    try {
        check();
    } catch (const std::invalid_argument& e) {
        throw ConfigError(std::string(origin) + ": " + e.what());
    }
}

std::filesystem::path default_data_dir(const Context& context) {
    if (auto state = env_override(context.env, "STATE_DIRECTORY")) {
        // systemd lists one directory per StateDirectory= entry, ':'-separated.
        return std::filesystem::path(state->substr(0, state->find(':')));
    }
    // The XDG base directory spec says to ignore relative values.
    if (auto xdg = env_override(context.env, "XDG_DATA_HOME");
        xdg && std::filesystem::path(*xdg).is_absolute()) {
        return std::filesystem::path(*xdg) / "smartq-backup";
    }
    if (auto home = env_override(context.env, "HOME")) {
        return std::filesystem::path(*home) / ".local/share/smartq-backup";
    }
    throw ConfigError(context.file.string() +
                      ": no data_dir: set data_dir in the file, or $STATE_DIRECTORY, "
                      "$XDG_DATA_HOME or $HOME");
}

std::filesystem::path data_dir(const TableReader& top, const Context& context,
                               const Overrides& overrides) {
    std::filesystem::path path;
    if (overrides.data_dir) {
        path = *overrides.data_dir;
    } else if (auto env = env_override(context.env, "SMARTQ_BACKUP_DATA_DIR")) {
        path = *env;
    } else if (auto in_file = top.string("data_dir")) {
        if (in_file->empty()) {
            top.fail("data_dir", "is empty");
        }
        path = resolve(context.directory, *in_file);
    } else {
        path = default_data_dir(context);
    }
    if (path.empty()) {
        throw ConfigError("--data-dir: is empty");
    }
    return std::filesystem::absolute(path).lexically_normal();
}

std::string log_level(const TableReader& top, const Context& context, const Overrides& overrides) {
    if (overrides.log_level) {
        check_override("--log-level", [&] { check_log_level(*overrides.log_level); });
        return *overrides.log_level;
    }
    if (auto env = env_override(context.env, "SMARTQ_BACKUP_LOG_LEVEL")) {
        check_override("environment variable SMARTQ_BACKUP_LOG_LEVEL",
                       [&] { check_log_level(*env); });
        return *env;
    }
    auto level = top.string("log_level");
    if (!level) {
        return Config{}.log_level;
    }
    top.checked("log_level", [&] { check_log_level(*level); });
    return *level;
}

std::optional<int> concurrency_override(const Context& context, const Overrides& overrides) {
    if (overrides.concurrency) {
        return parse_concurrency("--concurrency", std::to_string(*overrides.concurrency));
    }
    if (auto env = env_override(context.env, "SMARTQ_BACKUP_CONCURRENCY")) {
        return parse_concurrency("environment variable SMARTQ_BACKUP_CONCURRENCY", *env);
    }
    return std::nullopt;
}

// The duplicate-table error is the one users hit most (two [accounts.acme]
// blocks); it gets the same "key: problem" shape as every other mistake.
std::optional<std::string> redefinition_problem(std::string_view description) {
    auto redefinition = description.find("cannot redefine existing");
    if (redefinition == std::string_view::npos) {
        return std::nullopt;
    }
    auto open = description.find('\'', redefinition);
    auto close = description.find('\'', open + 1);
    if (open == std::string_view::npos || close == std::string_view::npos) {
        return std::string("defined twice");
    }
    auto key = description.substr(open + 1, close - open - 1);
    if (key.starts_with("accounts.")) {
        return "key '" + std::string(key) + "': duplicate account; each [" + std::string(key) +
               "] table may appear only once";
    }
    return "key '" + std::string(key) + "': defined twice";
}

std::string_view line_of(std::string_view text, std::size_t line) {
    for (std::size_t n = 1; n < line; ++n) {
        auto newline = text.find('\n');
        if (newline == std::string_view::npos) {
            return {};
        }
        text.remove_prefix(newline + 1);
    }
    return text.substr(0, text.find('\n'));
}

// True for "password = ...", "api_key = ..." and "proxy = ...": toml++ quotes bits
// of a malformed value in its messages, and that value may be a secret.
bool assigns_inline_secret(std::string_view line) {
    for (std::string_view key : {"password", "api_key", "proxy"}) {
        for (auto at = line.find(key); at != std::string_view::npos; at = line.find(key, at + 1)) {
            auto rest = line.substr(at + key.size());
            auto next = rest.find_first_not_of("\"' \t");
            if (next != std::string_view::npos && rest[next] == '=') {
                return true;
            }
        }
    }
    return false;
}

ConfigError syntax_error(const toml::parse_error& error, std::string_view text,
                         const std::filesystem::path& file) {
    const auto& where = error.source();
    std::string place = located(file, where);
    if (auto problem = redefinition_problem(error.description())) {
        return ConfigError(place + ": " + *problem);
    }
    if (assigns_inline_secret(line_of(text, where.begin.line))) {
        return ConfigError(place +
                           ": TOML syntax error in the value of a secret (details withheld)");
    }
    return ConfigError(place + ": TOML syntax error: " + std::string(error.description()) +
                       " (column " + std::to_string(where.begin.column) + ")");
}

Config parse(std::string_view text, const Context& context, const Overrides& overrides) {
    toml::table document;
    try {
        document = toml::parse(text, context.file.string());
    } catch (const toml::parse_error& error) {
        throw syntax_error(error, text, context.file);
    }
    TableReader top(document, "", context.file);
    top.refuse_unknown_keys(top_level_keys);

    Config config;
    config.source = context.file;
    config.data_dir = data_dir(top, context, overrides);
    config.concurrency =
        top.integer_in("concurrency", 1, max_concurrency).value_or(config.concurrency);
    config.interval = top.duration("interval").value_or(config.interval);
    config.deep_every = top.duration("deep_every").value_or(config.deep_every);
    config.log_level = log_level(top, context, overrides);
    config.metrics_listen = top.string("metrics_listen");
    if (config.metrics_listen) {
        top.checked("metrics_listen", [&] { check_listen_address(*config.metrics_listen); });
    }
    if (auto file = top.string("serve_password_file"))
        config.serve_password_file = secret_file_path(*file, context.directory, context.env);
    config.max_requests_in_flight = top.integer_in("max_in_flight", 1, max_in_flight_limit)
                                        .value_or(config.max_requests_in_flight);
    config.max_rate = top.rate("max_rate");
    config.transport = top.transport(config.transport);
    config.retention = read_retention(top, std::nullopt, context.file);
    auto forced_concurrency = concurrency_override(context, overrides);
    config.concurrency = forced_concurrency.value_or(config.concurrency);
    config.accounts = read_accounts(top, config, context);
    if (forced_concurrency) {
        for (auto& account : config.accounts) {
            account.concurrency = *forced_concurrency;
        }
    }
    return config;
}

std::filesystem::path directory_of(const std::filesystem::path& file) {
    return std::filesystem::absolute(file).lexically_normal().parent_path();
}

}  // namespace

const AccountConfig& Config::account(std::string_view name) const {
    auto it = std::find_if(accounts.begin(), accounts.end(),
                           [&](const AccountConfig& a) { return a.name == name; });
    if (it != accounts.end()) {
        return *it;
    }
    std::string known;
    for (const auto& a : accounts) {
        known += (known.empty() ? "" : ", ") + a.name;
    }
    throw ConfigError(source.string() + ": no account '" + std::string(name) +
                      "'; the configured accounts are: " + known);
}

std::filesystem::path default_config_path(const Environment& env) {
    if (auto path = env_override(env, "SMARTQ_BACKUP_CONFIG")) {
        return *path;
    }
    return "/etc/smartq-backup/config.toml";
}

Config load_config(const std::filesystem::path& file, const Environment& env,
                   const Overrides& overrides) {
    FileContents contents;
    try {
        contents = read_small_file(file, max_config_file_size);
    } catch (const std::invalid_argument& e) {
        throw ConfigError(std::string("configuration: ") + e.what());
    }
    Context context{file, directory_of(file), !readable_by_others(contents.permissions), env};
    auto config = parse(contents.bytes, context, overrides);
    spdlog::debug("config: loaded {} with {} account(s)", file.string(), config.accounts.size());
    return config;
}

Config parse_config(std::string_view toml_text, const std::filesystem::path& name,
                    const Environment& env, const Overrides& overrides) {
    std::error_code error;
    auto status = std::filesystem::status(name, error);
    // Text that is not (also) a file on disk cannot be read by anyone else.
    bool text_is_private =
        error || !std::filesystem::exists(status) || !readable_by_others(status.permissions());
    Context context{name, directory_of(name), text_is_private, env};
    return parse(toml_text, context, overrides);
}

}  // namespace smartq::config
