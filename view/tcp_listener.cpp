#include <utility>

#include "view/tcp_listener.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <stdexcept>

#include "view/listen_endpoint.hpp"

namespace smartq::view {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

tcp::acceptor listen_on(asio::any_io_executor executor, const std::string& address) {
    auto endpoint = parse_endpoint(address);
    tcp::acceptor acceptor(executor);
    boost::system::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        acceptor.bind(endpoint, ec);
    if (!ec)
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("cannot listen on " + address + ": " + ec.message());
    return acceptor;
}

asio::awaitable<void> accept_connections(tcp::acceptor& acceptor, std::string_view server,
                                         Session session) {
    while (acceptor.is_open()) {
        boost::system::error_code ec;
        auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted || !acceptor.is_open())
            co_return;
        if (ec) {
            spdlog::warn("{}: accept failed: {}", server, ec.message());
            continue;
        }
        asio::co_spawn(acceptor.get_executor(), session(std::move(socket)), asio::detached);
    }
}

}  // namespace smartq::view
