#include "sync/http/proxy.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace smartq::http {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::optional<asio::ip::address> address_of(std::string_view text) {
    error_code not_an_address;
    auto address = asio::ip::make_address(std::string(text), not_an_address);
    return not_an_address ? std::nullopt : std::optional(address);
}

// One no_proxy entry: a host, address or CIDR block, and the port it is limited to.
struct Entry {
    std::string_view host;
    std::optional<std::uint16_t> port;
};

std::optional<std::uint16_t> parse_port(std::string_view digits) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc{} || end != digits.data() + digits.size() || value == 0 || value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

// "host", "host:port", "[v6]", "[v6]:port" or a bare IPv6 address (more than one
// colon, so no port). nullopt for an entry that cannot be read: it matches nothing.
std::optional<Entry> split_entry(std::string_view text) {
    std::string_view after;
    Entry entry;
    if (text.starts_with('[')) {
        auto close = text.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        entry.host = text.substr(1, close - 1);
        after = text.substr(close + 1);
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        auto colon = text.find(':');
        entry.host = text.substr(0, colon);
        after = text.substr(colon);
    } else {
        entry.host = text;
    }
    if (!after.empty()) {
        if (!after.starts_with(':') || !(entry.port = parse_port(after.substr(1)))) {
            return std::nullopt;
        }
    }
    return entry;
}

// The leading `bits` of two addresses of one family are equal.
bool same_prefix(const asio::ip::address& a, const asio::ip::address& b, unsigned bits) {
    auto bytes = [](const asio::ip::address& address) {
        std::array<unsigned char, 16> out{};
        if (address.is_v4()) {
            auto v4 = address.to_v4().to_bytes();
            std::copy(v4.begin(), v4.end(), out.begin());
        } else {
            out = address.to_v6().to_bytes();
        }
        return out;
    };
    auto left = bytes(a);
    auto right = bytes(b);
    for (unsigned bit = 0; bit < bits; ++bit) {
        unsigned mask = 0x80u >> (bit % 8);
        if ((left[bit / 8] & mask) != (right[bit / 8] & mask)) {
            return false;
        }
    }
    return true;
}

// An address against an address or a CIDR block ("10.0.0.0/8", "fd00::/8").
bool address_matches(const asio::ip::address& host, std::string_view entry) {
    auto slash = entry.find('/');
    auto network = address_of(entry.substr(0, slash));
    if (!network || network->is_v4() != host.is_v4()) {
        return false;
    }
    unsigned width = host.is_v4() ? 32 : 128;
    unsigned bits = width;
    if (slash != std::string_view::npos) {
        auto text = entry.substr(slash + 1);
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), bits);
        if (ec != std::errc{} || end != text.data() + text.size() || bits > width) {
            return false;
        }
    }
    return same_prefix(host, *network, bits);
}

// A name matches itself and its subdomains; ".example.com" is "example.com".
bool name_matches(std::string_view host, std::string_view entry) {
    while (entry.starts_with('.')) {
        entry.remove_prefix(1);
    }
    if (host.ends_with('.')) {
        host.remove_suffix(1);
    }
    if (entry.empty()) {
        return false;
    }
    return host == entry || (host.ends_with(entry) && host[host.size() - entry.size() - 1] == '.');
}

}  // namespace

std::string authority_form(std::string_view host, std::uint16_t port) {
    bool ipv6 = host.find(':') != std::string_view::npos;
    return ipv6 ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

std::string Proxy::authority() const {
    return authority_form(host, port);
}

bool no_proxy_matches(std::string_view list, std::string_view host, std::uint16_t port) {
    std::string name = lowercase(host);
    auto address = address_of(name);
    while (!list.empty()) {
        auto end = list.find_first_of(", \t");
        std::string_view token = list.substr(0, end);
        list.remove_prefix(end == std::string_view::npos ? list.size() : end + 1);
        if (token == "*") {
            return true;
        }
        auto entry = token.empty() ? std::nullopt : split_entry(token);
        if (!entry || (entry->port && *entry->port != port)) {
            continue;
        }
        if (address ? address_matches(*address, entry->host)
                    : name_matches(name, lowercase(entry->host))) {
            return true;
        }
    }
    return false;
}

std::optional<Proxy> proxy_for(const Url& target, const std::optional<Proxy>& proxy) {
    if (!proxy || no_proxy_matches(proxy->no_proxy, target.host, target.port)) {
        return std::nullopt;
    }
    return proxy;
}

}  // namespace smartq::http
