// A listening address, HOST:PORT or [IPv6]:PORT, as an endpoint to bind: shared by every
// HTTP listener the program opens (serve's pages and the daemon's metrics).
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <string>

namespace smartq::view {

// Throws std::runtime_error with a sentence naming what is wrong with `address`.
boost::asio::ip::tcp::endpoint parse_endpoint(const std::string& address);

}  // namespace smartq::view
