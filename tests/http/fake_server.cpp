#include "fake_server.hpp"

#include <utility>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <deque>
#include <mutex>
#include <thread>

#include <fmt/format.h>

namespace smartq::http::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

std::string SeenRequest::header(const std::string& name) const {
    auto found = headers.find(name);
    return found == headers.end() ? std::string() : found->second;
}

Reply Reply::data(std::string data_json) {
    Reply reply;
    reply.body = fmt::format(R"({{"error":null,"data":{}}})", data_json);
    return reply;
}

Reply Reply::error(unsigned status, std::string message) {
    Reply reply;
    reply.status = status;
    reply.body = fmt::format(R"({{"error":{{"type":null,"code":{},"message":"{}"}},"data":null}})",
                             status, message);
    return reply;
}

Reply Reply::html(unsigned status) {
    Reply reply;
    reply.status = status;
    reply.content_type = "text/html";
    reply.body = "<html><body><h1>Bad Gateway</h1></body></html>";
    return reply;
}

Reply Reply::drop() {
    Reply reply;
    reply.kind = Kind::Drop;
    return reply;
}

Reply Reply::truncated(std::string body, std::size_t claimed_length) {
    Reply reply;
    reply.kind = Kind::Truncate;
    reply.body = std::move(body);
    reply.headers.push_back({"Content-Length", std::to_string(claimed_length)});
    return reply;
}

Reply Reply::token(std::string access, std::string refresh) {
    return data(fmt::format(R"({{"access_token":"{}","refresh_token":"{}","expires_in":3600}})",
                            access, refresh));
}

struct FakeServer::State {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    std::optional<ssl::context> tls;
    std::thread thread;

    mutable std::mutex mutex;
    std::deque<Reply> queue;
    Handler handler;
    std::vector<SeenRequest> seen;
    int connections = 0;
    int in_flight = 0;
    int max_in_flight = 0;

    Reply next_reply(const SeenRequest& request) {
        std::lock_guard lock(mutex);
        seen.push_back(request);
        if (handler) {
            return handler(request);
        }
        if (request.method == "POST" && request.target.ends_with("/oauth2/")) {
            return Reply::token("tok1", "ref1");
        }
        if (queue.empty()) {
            return Reply::error(500, "script exhausted");
        }
        Reply reply = std::move(queue.front());
        queue.pop_front();
        return reply;
    }

    void count_in_flight(int change) {
        std::lock_guard lock(mutex);
        in_flight += change;
        max_in_flight = std::max(max_in_flight, in_flight);
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            tcp::socket socket = co_await acceptor.async_accept(asio::use_awaitable);
            int id;
            {
                std::lock_guard lock(mutex);
                id = ++connections;
            }
            asio::co_spawn(io, session(std::move(socket), id), asio::detached);
        }
    }

    asio::awaitable<void> session(tcp::socket socket, int id) {
        if (!tls) {
            beast::tcp_stream stream(std::move(socket));
            co_await serve(stream, id);
            co_return;
        }
        beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(socket)), *tls);
        boost::system::error_code code;
        co_await stream.async_handshake(ssl::stream_base::server,
                                        asio::redirect_error(asio::use_awaitable, code));
        if (!code) {
            co_await serve(stream, id);
        }
    }

    template <class Stream>
    asio::awaitable<void> serve(Stream& stream, int id) {
        beast::flat_buffer buffer;
        for (;;) {
            bhttp::request<bhttp::string_body> request;
            boost::system::error_code code;
            co_await bhttp::async_read(stream, buffer, request,
                                       asio::redirect_error(asio::use_awaitable, code));
            if (code) {
                co_return;
            }
            SeenRequest seen_request{std::string(request.method_string()),
                                     std::string(request.target()),
                                     {},
                                     request.body(),
                                     id};
            for (const auto& field : request) {
                std::string name(field.name_string());
                std::transform(name.begin(), name.end(), name.begin(),
                               [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                seen_request.headers[name] = std::string(field.value());
            }
            Reply reply = next_reply(seen_request);
            count_in_flight(+1);
            if (reply.delay.count() > 0) {
                asio::steady_timer timer(io, reply.delay);
                co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, code));
            }
            count_in_flight(-1);
            if (reply.kind == Reply::Kind::Drop) {
                co_return;
            }
            if (reply.kind == Reply::Kind::Truncate) {
                std::string raw = fmt::format(
                    "HTTP/1.1 {} OK\r\nContent-Type: {}\r\nContent-Length: {}\r\n\r\n{}",
                    reply.status, reply.content_type, reply.headers.front().second, reply.body);
                co_await asio::async_write(stream, asio::buffer(raw),
                                           asio::redirect_error(asio::use_awaitable, code));
                co_return;
            }
            bhttp::response<bhttp::string_body> response{static_cast<bhttp::status>(reply.status),
                                                         11};
            response.set(bhttp::field::content_type, reply.content_type);
            for (const auto& [name, value] : reply.headers) {
                response.set(name, value);
            }
            response.body() = reply.body;
            response.keep_alive(request.keep_alive());
            response.prepare_payload();
            co_await bhttp::async_write(stream, response,
                                        asio::redirect_error(asio::use_awaitable, code));
            if (code || !request.keep_alive() || reply.close_silently) {
                co_return;
            }
        }
    }
};

FakeServer::FakeServer(std::optional<TlsIdentity> tls) : state_(std::make_shared<State>()) {
    if (tls) {
        state_->tls.emplace(ssl::context::tls_server);
        state_->tls->use_certificate_chain(asio::buffer(tls->certificate_chain_pem));
        state_->tls->use_private_key(asio::buffer(tls->private_key_pem), ssl::context::pem);
    }
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
    asio::co_spawn(state_->io, state_->accept_loop(), asio::detached);
    state_->thread = std::thread([state = state_] { state->io.run(); });
}

FakeServer::~FakeServer() {
    state_->io.stop();
    state_->thread.join();
}

std::uint16_t FakeServer::port() const {
    return state_->acceptor.local_endpoint().port();
}

std::string FakeServer::url() const {
    return fmt::format("{}://127.0.0.1:{}", state_->tls ? "https" : "http", port());
}

void FakeServer::script(std::vector<Reply> replies) {
    std::lock_guard lock(state_->mutex);
    for (auto& reply : replies) {
        state_->queue.push_back(std::move(reply));
    }
}

void FakeServer::handle(Handler handler) {
    std::lock_guard lock(state_->mutex);
    state_->handler = std::move(handler);
}

std::vector<SeenRequest> FakeServer::requests() const {
    std::lock_guard lock(state_->mutex);
    return state_->seen;
}

std::vector<SeenRequest> FakeServer::requests_to(const std::string& target_prefix) const {
    std::vector<SeenRequest> out;
    for (auto& request : requests()) {
        if (request.target.starts_with(target_prefix)) {
            out.push_back(request);
        }
    }
    return out;
}

int FakeServer::connections() const {
    std::lock_guard lock(state_->mutex);
    return state_->connections;
}

int FakeServer::max_in_flight() const {
    std::lock_guard lock(state_->mutex);
    return state_->max_in_flight;
}

}  // namespace smartq::http::testing
