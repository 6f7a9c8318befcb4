#include "view/listen_endpoint.hpp"

#include <charconv>
#include <stdexcept>
#include <string_view>

namespace smartq::view {

boost::asio::ip::tcp::endpoint parse_endpoint(const std::string& address) {
    auto colon = address.rfind(':');
    if (colon == std::string::npos)
        throw std::runtime_error("'" + address + "' is not HOST:PORT");
    auto host = address.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    auto ip = boost::asio::ip::make_address(host, ec);
    if (ec)
        throw std::runtime_error("'" + host + "' is not an IP address");
    auto digits = std::string_view(address).substr(colon + 1);
    unsigned short port = 0;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || error != std::errc{} || end != digits.data() + digits.size())
        throw std::runtime_error("'" + address + "' has no valid port");
    return {ip, port};
}

}  // namespace smartq::view
