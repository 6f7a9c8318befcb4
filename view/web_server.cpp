#include <utility>

#include "view/web_server.hpp"

#include "view/listen_endpoint.hpp"
#include "view/tcp_listener.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/core/detail/base64.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include <charconv>

namespace smartq::view {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kMaxRequestBytes = 16 * 1024;
// A client gets this long to send a request, and to take each answer.
constexpr auto kReadDeadline = std::chrono::seconds(30);
constexpr auto kWriteDeadline = std::chrono::minutes(5);

// Equal texts, in a time that does not depend on where they differ (the length is no secret
// worth hiding).
bool same_secret(std::string_view given, std::string_view expected) {
    if (given.size() != expected.size())
        return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < given.size(); ++i)
        difference |= static_cast<unsigned char>(given[i] ^ expected[i]);
    return difference == 0;
}

bool authorized(const http::request<http::empty_body>& request,
                const std::optional<config::Secret>& password) {
    if (!password)
        return true;
    auto header = request[http::field::authorization];
    constexpr std::string_view scheme = "Basic ";
    if (header.size() <= scheme.size() || header.substr(0, scheme.size()) != scheme)
        return false;
    auto encoded = header.substr(scheme.size());
    std::string decoded(beast::detail::base64::decoded_size(encoded.size()), '\0');
    auto [written, read] = beast::detail::base64::decode(decoded.data(), encoded.data(), encoded.size());
    decoded.resize(written);
    auto colon = decoded.find(':');
    return colon != std::string::npos &&
           same_secret(std::string_view(decoded).substr(colon + 1), password->reveal());
}

template <class Body>
void common_headers(http::response<Body>& response, bool keep_alive) {
    response.set(http::field::server, "smartq-backup");
    response.set("X-Content-Type-Options", "nosniff");
    response.set("Referrer-Policy", "no-referrer");
    response.set("Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
                 "form-action 'self'; frame-ancestors 'none'; sandbox allow-forms allow-same-origin "
                 "allow-popups allow-downloads");
    response.keep_alive(keep_alive);
}

}  // namespace

struct WebServer::Impl : std::enable_shared_from_this<Impl> {
    Impl(tcp::acceptor acceptor, const Site& site, std::optional<config::Secret> password)
        : acceptor(std::move(acceptor)), site(site), password(std::move(password)) {}

    asio::awaitable<void> serve(tcp::socket socket);
    // Answers one request; false when the connection should close.
    asio::awaitable<bool> answer(beast::tcp_stream& stream,
                                 const http::request<http::empty_body>& request);

    tcp::acceptor acceptor;
    const Site& site;
    std::optional<config::Secret> password;
};

asio::awaitable<bool> WebServer::Impl::answer(beast::tcp_stream& stream,
                                              const http::request<http::empty_body>& request) {
    boost::system::error_code ec;
    bool head = request.method() == http::verb::head;
    bool keep_alive = request.keep_alive();
    auto send_text = [&](http::status status, std::string type, std::string body,
                         bool challenge) -> asio::awaitable<void> {
        http::response<http::string_body> response{status, request.version()};
        common_headers(response, keep_alive);
        response.set(http::field::content_type, type);
        if (challenge)
            response.set(http::field::www_authenticate, "Basic realm=\"smartq-backup\", charset=\"UTF-8\"");
        response.content_length(body.size());
        if (!head)
            response.body() = std::move(body);
        stream.expires_after(kWriteDeadline);
        co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    };
    if (request.method() != http::verb::get && !head) {
        co_await send_text(http::status::method_not_allowed, "text/plain", "read-only: GET only\n", false);
    } else if (!authorized(request, password)) {
        co_await send_text(http::status::unauthorized, "text/plain", "authentication required\n", true);
    } else {
        auto reply = site.answer(request.target());
        if (reply.file.empty()) {
            co_await send_text(static_cast<http::status>(reply.status), reply.content_type,
                               std::move(reply.body), false);
        } else {
            http::response<http::file_body> response{http::status::ok, request.version()};
            response.body().open(reply.file.c_str(), beast::file_mode::scan, ec);
            if (ec) {
                co_await send_text(http::status::not_found, "text/plain", "no such file\n", false);
                co_return !ec && keep_alive;
            }
            common_headers(response, keep_alive);
            response.set(http::field::content_type, reply.content_type);
            response.set(http::field::content_disposition, content_disposition(reply.download_name));
            response.prepare_payload();
            stream.expires_after(kWriteDeadline);
            if (head) {
                http::response_serializer<http::file_body> serializer{response};
                co_await http::async_write_header(stream, serializer,
                                                  asio::redirect_error(asio::use_awaitable, ec));
            } else {
                co_await http::async_write(stream, response,
                                           asio::redirect_error(asio::use_awaitable, ec));
            }
        }
    }
    co_return !ec && keep_alive;
}

asio::awaitable<void> WebServer::Impl::serve(tcp::socket socket) {
    auto self = shared_from_this();
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::empty_body> parser;
        parser.header_limit(kMaxRequestBytes);
        stream.expires_after(kReadDeadline);
        boost::system::error_code ec;
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        if (ec)
            break;  // closed, timed out, too large or not HTTP: nothing to answer
        bool again = false;
        try {
            again = co_await answer(stream, parser.get());
        } catch (const std::exception& error) {
            // The replica failed (damaged, locked away): the page is lost, the server stays.
            spdlog::error("serve: {} failed: {}", std::string(parser.get().target()), error.what());
        }
        if (!again)
            break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.close();
}

WebServer::WebServer(asio::any_io_executor executor, const std::string& listen, const Site& site,
                     std::optional<config::Secret> password)
    : impl_(std::make_shared<Impl>(listen_on(executor, listen), site, std::move(password))) {
    asio::co_spawn(executor,
                   accept_connections(impl_->acceptor, "serve",
                                      [self = impl_](tcp::socket socket) {
                                          return self->serve(std::move(socket));
                                      }),
                   asio::detached);
}

WebServer::~WebServer() {
    stop();
}

std::uint16_t WebServer::port() const {
    return impl_->acceptor.local_endpoint().port();
}

void WebServer::stop() {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
}

bool is_loopback(const std::string& address) {
    return parse_endpoint(address).address().is_loopback();
}

}  // namespace smartq::view
