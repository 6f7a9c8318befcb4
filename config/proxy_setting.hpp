#pragma once

#include <optional>
#include <string_view>

#include "config/config.hpp"
#include "config/table_reader.hpp"

// The `proxy` key and the environment's proxy variables, as curl, rclone and
// restic read them: the key (an account's, else the top level's) wins over
// the environment, and `proxy = ""` switches the proxy off.
namespace smartq::config {

// A `proxy` key: absent (the environment decides), "" (no proxy) or a proxy URL.
struct ProxyKey {
    bool given = false;
    std::optional<ProxyConfig> proxy;
};

// "[http://][USER[:PASSWORD]@]HOST[:PORT][/]", USER and PASSWORD percent-encoded,
// PORT 1080 when it is left out. Throws std::invalid_argument naming the problem,
// never the URL (it may hold a password).
ProxyConfig parse_proxy_url(std::string_view text);

// The `proxy` key of TABLE. A password in it is refused unless the file is private.
ProxyKey read_proxy_key(const TableReader& table, bool text_is_private);

// The proxy of an account whose site is `url`: its own key, else the top level's,
// else https_proxy (then HTTPS_PROXY) for an https:// site and http_proxy (lower
// case only, as curl: HTTP_PROXY can be set by a CGI request) for an http:// one.
// Its no_proxy is $no_proxy, else $NO_PROXY. An unusable URL in the environment is
// a ConfigError naming the variable.
std::optional<ProxyConfig> choose_proxy(const ProxyKey& own, const ProxyKey& top,
                                        std::string_view url, const Environment& env);

}  // namespace smartq::config
