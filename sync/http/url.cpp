#include "sync/http/url.hpp"

#include <charconv>
#include <stdexcept>

#include <fmt/format.h>

namespace smartq::http {

namespace {

[[noreturn]] void refuse(std::string_view text, std::string_view why) {
    throw std::invalid_argument(fmt::format("the URL \"{}\" is not usable: {}", text, why));
}

std::uint16_t parse_port(std::string_view text, std::string_view digits) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || value == 0 ||
        value > 65535) {
        refuse(text, "the port must be a number from 1 to 65535");
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string Url::authority() const {
    bool default_port = port == (tls() ? 443 : 80);
    return default_port ? host : fmt::format("{}:{}", host, port);
}

Url parse_url(std::string_view text) {
    Url url;
    std::string_view rest = text;
    if (rest.starts_with("https://")) {
        url.scheme = Url::Scheme::Https;
        url.port = 443;
        rest.remove_prefix(8);
    } else if (rest.starts_with("http://")) {
        url.scheme = Url::Scheme::Http;
        url.port = 80;
        rest.remove_prefix(7);
    } else {
        refuse(text, "it must start with https:// or http://");
    }
    if (rest.find_first_of("?#") != std::string_view::npos) {
        refuse(text, "it must not have a query or a fragment");
    }
    auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
    if (authority.find('@') != std::string_view::npos) {
        refuse(text, "credentials belong in the configuration, not in the URL");
    }
    if (authority.starts_with('[')) {
        auto close = authority.find(']');
        if (close == std::string_view::npos) {
            refuse(text, "an IPv6 address needs a closing ']'");
        }
        url.host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                refuse(text, "unexpected text after the IPv6 address");
            }
            url.port = parse_port(text, after.substr(1));
        }
    } else {
        auto colon = authority.find(':');
        url.host = authority.substr(0, colon);
        if (colon != std::string_view::npos) {
            url.port = parse_port(text, authority.substr(colon + 1));
        }
    }
    if (url.host.empty()) {
        refuse(text, "it has no host name");
    }
    while (path.ends_with('/')) {
        path.remove_suffix(1);
    }
    url.base_path = path;
    return url;
}

}  // namespace smartq::http
