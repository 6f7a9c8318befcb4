#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace smartq::http {

// Where an account lives. The API root is base_path + "/api/v1" on host:port.
struct Url {
    enum class Scheme { Http, Https };
    Scheme scheme = Scheme::Https;
    std::string host;
    std::uint16_t port = 443;
    std::string base_path;  // "" or "/prefix", never a trailing '/'

    bool tls() const { return scheme == Scheme::Https; }
    std::string api_root() const { return base_path + "/api/v1"; }
    // "host" for default ports, else "host:port": what the Host header and messages show.
    std::string authority() const;
};

// Throws std::invalid_argument with a sentence naming the problem for anything but
// http(s)://host[:port][/path] (no user info, query or fragment).
Url parse_url(std::string_view text);

}  // namespace smartq::http
