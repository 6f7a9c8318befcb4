#include "config/proxy_setting.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>
#include <string>

namespace smartq::config {
namespace {

[[noreturn]] void refuse(const std::string& why) {
    throw std::invalid_argument("the proxy URL is not usable: " + why);
}

std::string percent_decoded(std::string_view text, std::string_view what) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        unsigned value = 0;
        auto digits = text.substr(i + 1, 2);
        auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value, 16);
        if (digits.size() != 2 || ec != std::errc{} || end != digits.data() + 2) {
            refuse("a '%' in its " + std::string(what) + " is not followed by two hex digits");
        }
        out += static_cast<char>(value);
        i += 2;
    }
    return out;
}

std::uint16_t parse_port(std::string_view digits) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || value == 0 ||
        value > 65535) {
        refuse("the port must be a number from 1 to 65535");
    }
    return static_cast<std::uint16_t>(value);
}

// HOST[:PORT] or [V6][:PORT].
void read_host_port(std::string_view text, ProxyConfig& out) {
    std::string_view after;
    if (text.starts_with('[')) {
        auto close = text.find(']');
        if (close == std::string_view::npos) {
            refuse("an IPv6 address needs a closing ']'");
        }
        out.host = text.substr(1, close - 1);
        after = text.substr(close + 1);
        if (!after.empty() && !after.starts_with(':')) {
            refuse("unexpected text after the IPv6 address");
        }
    } else {
        auto colon = text.find(':');
        out.host = text.substr(0, colon);
        after = colon == std::string_view::npos ? "" : text.substr(colon);
    }
    if (!after.empty()) {
        out.port = parse_port(after.substr(1));
    }
    if (out.host.empty()) {
        refuse("it has no host name");
    }
}

std::optional<std::string> first_set(const Environment& env,
                                     std::initializer_list<std::string_view> names,
                                     std::string_view& chosen) {
    for (auto name : names) {
        if (auto value = env.get(name); value && !value->empty()) {
            chosen = name;
            return value;
        }
    }
    return std::nullopt;
}

std::optional<ProxyConfig> from_environment(std::string_view url, const Environment& env) {
    std::string_view name;
    auto value = url.starts_with("https://") ? first_set(env, {"https_proxy", "HTTPS_PROXY"}, name)
                                             : first_set(env, {"http_proxy"}, name);
    if (!value) {
        return std::nullopt;
    }
    try {
        return parse_proxy_url(*value);
    } catch (const std::invalid_argument& e) {
        throw ConfigError("environment variable " + std::string(name) + ": " + e.what());
    }
}

}  // namespace

ProxyConfig parse_proxy_url(std::string_view text) {
    auto scheme_end = text.find("://");
    if (scheme_end != std::string_view::npos) {
        std::string scheme(text.substr(0, scheme_end));
        std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (scheme != "http") {
            refuse("only an http:// proxy can open a tunnel (CONNECT); not " + scheme + "://");
        }
        text.remove_prefix(scheme_end + 3);
    }
    if (text.ends_with('/')) {
        text.remove_suffix(1);
    }
    if (text.find_first_of("/?#") != std::string_view::npos) {
        refuse("it must not have a path, a query or a fragment");
    }
    ProxyConfig out;
    auto at = text.rfind('@');
    if (at != std::string_view::npos) {
        std::string_view user_info = text.substr(0, at);
        auto colon = user_info.find(':');
        out.user = percent_decoded(user_info.substr(0, colon), "user name");
        if (colon != std::string_view::npos) {
            out.password = Secret(percent_decoded(user_info.substr(colon + 1), "password"));
        }
        if (out.user.empty()) {
            refuse("it has a '@' but no user name before it");
        }
        text.remove_prefix(at + 1);
    }
    read_host_port(text, out);
    return out;
}

ProxyKey read_proxy_key(const TableReader& table, bool text_is_private) {
    auto text = table.string("proxy");
    if (!text) {
        return {};
    }
    if (text->empty()) {
        return {true, std::nullopt};
    }
    auto proxy = table.checked("proxy", [&] { return parse_proxy_url(*text); });
    if (!proxy.password.empty() && !text_is_private) {
        table.fail("proxy",
                   "a password in the proxy URL is refused because the file is "
                   "readable by others; chmod 600 it or give the proxy in the environment");
    }
    return {true, std::move(proxy)};
}

std::optional<ProxyConfig> choose_proxy(const ProxyKey& own, const ProxyKey& top,
                                        std::string_view url, const Environment& env) {
    const ProxyKey& key = own.given ? own : top;
    auto proxy = key.given ? key.proxy : from_environment(url, env);
    if (proxy) {
        std::string_view name;
        proxy->no_proxy = first_set(env, {"no_proxy", "NO_PROXY"}, name).value_or("");
    }
    return proxy;
}

}  // namespace smartq::config
