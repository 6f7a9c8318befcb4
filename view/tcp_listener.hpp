// The listening half of every HTTP server the program runs (serve's pages and the daemon's
// metrics): bind an address, then hand each accepted connection to the server's own session.
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>
#include <string_view>

namespace smartq::view {

// An acceptor listening on `address` (HOST:PORT, see listen_endpoint.hpp); throws
// std::runtime_error "cannot listen on ADDRESS: why".
boost::asio::ip::tcp::acceptor listen_on(boost::asio::any_io_executor executor,
                                         const std::string& address);

using Session = std::function<boost::asio::awaitable<void>(boost::asio::ip::tcp::socket)>;

// Accepts until `acceptor` is closed, spawning `session` for each connection on the acceptor's
// executor. A failed accept (out of descriptors, a reset before accept) is logged as `server`'s
// and the loop goes on. `session` should own whatever keeps `acceptor` alive.
boost::asio::awaitable<void> accept_connections(boost::asio::ip::tcp::acceptor& acceptor,
                                                std::string_view server, Session session);

}  // namespace smartq::view
