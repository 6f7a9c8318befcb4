#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sync/http/url.hpp"

// An HTTP proxy that connections reach their server through, as curl, rclone and
// restic do (the tunnel itself: proxy_tunnel.hpp). The configuration parses the
// proxy's URL and picks it from the `proxy` key or the environment; this file
// decides whether a host goes through it.
namespace smartq::http {

struct Proxy {
    std::string host;
    std::uint16_t port = 1080;
    std::string user;      // empty: no Proxy-Authorization
    std::string password;  // never logged, never in a message
    std::string no_proxy;  // curl's no_proxy list: the hosts reached directly

    std::string authority() const;  // "host:port", "[::1]:port": what messages name
};

// "host:port", "[v6]:port": a CONNECT target, and how messages name a proxy.
std::string authority_form(std::string_view host, std::uint16_t port);

// curl's no_proxy rule: entries separated by commas (or blanks); "*" matches every
// host; a name matches itself and its subdomains, with or without a leading dot,
// ignoring case; an IP address matches an equal address or a CIDR block
// ("10.0.0.0/8"); an entry may end in ":PORT" ("[::1]:8080" for IPv6), and then
// matches that port only.
bool no_proxy_matches(std::string_view list, std::string_view host, std::uint16_t port);

// The proxy a connection to `target` goes through: `proxy` unless its no_proxy list
// names the target.
std::optional<Proxy> proxy_for(const Url& target, const std::optional<Proxy>& proxy);

}  // namespace smartq::http
