#include "connect_proxy.hpp"

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <mutex>
#include <thread>

#include <fmt/format.h>

namespace smartq::http::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct ProxyState {
    ProxyOptions options;
    asio::io_context io;
    tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    std::uint16_t port = acceptor.local_endpoint().port();  // read once: the acceptor is busy
    std::thread thread;

    mutable std::mutex mutex;
    int tunnels = 0;
    std::vector<std::string> targets;
    std::vector<std::string> authorizations;
};

namespace {

using Socket = std::shared_ptr<tcp::socket>;

// Copies bytes one way until either side ends, then ends the other's sending.
asio::awaitable<void> pipe(Socket from, Socket to) {
    std::array<char, 16384> chunk;
    error_code code;
    for (;;) {
        std::size_t got = co_await from->async_read_some(
            asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, code));
        if (code) {
            break;
        }
        co_await asio::async_write(*to, asio::buffer(chunk.data(), got),
                                   asio::redirect_error(asio::use_awaitable, code));
        if (code) {
            break;
        }
    }
    to->shutdown(tcp::socket::shutdown_send, code);
}

asio::awaitable<void> answer(tcp::socket& socket, unsigned status) {
    bhttp::response<bhttp::string_body> response{bhttp::int_to_status(status), 11};
    if (status == 407) {
        response.set(bhttp::field::proxy_authenticate, "Basic realm=\"test\"");
    }
    response.body() = "no tunnel\n";
    response.prepare_payload();
    response.keep_alive(false);
    error_code code;
    co_await bhttp::async_write(socket, response, asio::redirect_error(asio::use_awaitable, code));
}

asio::awaitable<void> serve(ProxyState* state, Socket client) {
    beast::flat_buffer buffer;
    bhttp::request_parser<bhttp::empty_body> parser;
    error_code code;
    co_await bhttp::async_read_header(*client, buffer, parser,
                                      asio::redirect_error(asio::use_awaitable, code));
    if (code) {
        co_return;
    }
    const auto& request = parser.get();
    std::string target(request.target());
    std::string authorization(request[bhttp::field::proxy_authorization]);
    {
        std::lock_guard lock(state->mutex);
        state->targets.push_back(target);
        state->authorizations.push_back(authorization);
    }
    const auto& options = state->options;
    if (options.silent) {
        co_await client->async_read_some(asio::buffer(buffer.prepare(1)),
                                         asio::redirect_error(asio::use_awaitable, code));
        co_return;
    }
    if (request.method() != bhttp::verb::connect) {
        co_return co_await answer(*client, 405);
    }
    if (options.refuse_with != 0) {
        co_return co_await answer(*client, options.refuse_with);
    }
    if (options.required_authorization && authorization != *options.required_authorization) {
        co_return co_await answer(*client, 407);
    }
    auto colon = target.rfind(':');
    std::string host = target.substr(0, colon);
    if (auto known = options.hosts.find(host); known != options.hosts.end()) {
        host = known->second;
    }
    auto upstream = std::make_shared<tcp::socket>(state->io);
    tcp::resolver resolver(state->io);
    auto endpoints = co_await resolver.async_resolve(
        host, target.substr(colon + 1), asio::redirect_error(asio::use_awaitable, code));
    if (!code) {
        co_await asio::async_connect(*upstream, endpoints,
                                     asio::redirect_error(asio::use_awaitable, code));
    }
    if (code) {
        co_return co_await answer(*client, 502);
    }
    std::string established = "HTTP/1.1 200 Connection established\r\n\r\n";
    co_await asio::async_write(*client, asio::buffer(established),
                               asio::redirect_error(asio::use_awaitable, code));
    if (code) {
        co_return;
    }
    {
        std::lock_guard lock(state->mutex);
        ++state->tunnels;
    }
    if (buffer.size() != 0) {
        co_await asio::async_write(*upstream, buffer.data(),
                                   asio::redirect_error(asio::use_awaitable, code));
    }
    asio::co_spawn(state->io, pipe(upstream, client), asio::detached);
    co_await pipe(client, upstream);
}

asio::awaitable<void> accept_loop(ProxyState* state) {
    for (;;) {
        auto client = std::make_shared<tcp::socket>(state->io);
        error_code code;
        co_await state->acceptor.async_accept(*client,
                                              asio::redirect_error(asio::use_awaitable, code));
        if (code) {
            co_return;
        }
        asio::co_spawn(state->io, serve(state, client), asio::detached);
    }
}

}  // namespace

// The coroutines hold the State by pointer: it owns the io_context that owns them.
ConnectProxy::ConnectProxy(ProxyOptions options) : state_(std::make_unique<ProxyState>()) {
    state_->options = std::move(options);
    asio::co_spawn(state_->io, accept_loop(state_.get()), asio::detached);
    state_->thread = std::thread([state = state_.get()] { state->io.run(); });
}

ConnectProxy::~ConnectProxy() {
    state_->io.stop();
    state_->thread.join();
}

std::uint16_t ConnectProxy::port() const {
    return state_->port;
}

std::string ConnectProxy::url() const {
    return fmt::format("http://127.0.0.1:{}", port());
}

int ConnectProxy::tunnels() const {
    std::lock_guard lock(state_->mutex);
    return state_->tunnels;
}

std::vector<std::string> ConnectProxy::targets() const {
    std::lock_guard lock(state_->mutex);
    return state_->targets;
}

std::vector<std::string> ConnectProxy::authorizations() const {
    std::lock_guard lock(state_->mutex);
    return state_->authorizations;
}

}  // namespace smartq::http::testing
