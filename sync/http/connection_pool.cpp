#include "sync/http/connection_pool.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <deque>
#include <limits>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "sync/http/errors.hpp"
#include "sync/http/proxy_tunnel.hpp"
#include "sync/http/request_text.hpp"

namespace smartq::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kReadBuffer = 64 * 1024;
constexpr std::uint64_t kDoublingLimit = 1u << 20;  // an answer body grows by doubling up to here

// One kept-alive connection, plain or TLS. The TLS stream owns the TCP stream.
struct Connection {
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;

    beast::tcp_stream& tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

    template <class Operation>
    auto visit(Operation&& operation) {
        return tls ? operation(*tls) : operation(*plain);
    }
};

// Where an exchange failed, which decides what the failure means.
enum class Stage { Sending, AwaitingHeader, ReadingBody };

struct ExchangeFailure {
    error_code code;
    Stage stage;
};

bool peer_closed(const error_code& code) {
    return code == asio::error::eof || code == bhttp::error::end_of_stream ||
           code == asio::error::connection_reset || code == asio::error::broken_pipe ||
           code == ssl::error::stream_truncated;
}

std::string lowercase_first(std::string text) {
    if (!text.empty()) {
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    }
    return text;
}

// Every read and write gets read_timeout, and none may end after the request's
// deadline: a trickling answer, or a proxy or server that is slow to let a connection
// be made, cannot hold the run for longer than request_timeout.
struct Deadlines {
    std::chrono::milliseconds read_timeout;
    std::chrono::milliseconds request_timeout;
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

    std::chrono::steady_clock::time_point whole() const { return started + request_timeout; }

    std::chrono::steady_clock::time_point next(std::uint64_t streamed_bytes) const {
        auto whole =
            started + request_timeout *
                          static_cast<std::int64_t>(1 + streamed_bytes / kStreamedBytesPerDeadline);
        return std::min(std::chrono::steady_clock::now() + read_timeout, whole);
    }
};

}  // namespace

class ConnectionPool::Impl {
  public:
    Impl(asio::any_io_executor executor, Url url, PoolOptions options)
        : executor_(std::move(executor)),
          url_(std::move(url)),
          options_(std::move(options)),
          proxy_(proxy_for(url_, options_.proxy)),
          tls_context_(ssl::context::tls_client) {
        if (url_.tls()) {
            configure_tls();
        }
    }

    asio::awaitable<Response> send(Request request, BodySink sink) {
        std::string wire = request_text(request, url_.authority());
        bool fresh_only = false;
        for (;;) {
            Deadlines deadlines{options_.read_timeout, options_.request_timeout};
            auto [connection, reused] = co_await checkout(fresh_only, deadlines);
            Response response;
            bool keep_alive = false;
            std::optional<ExchangeFailure> failure;
            try {
                co_await connection->visit([&](auto& stream) {
                    return exchange(stream, *connection, request, wire, sink, response, keep_alive,
                                    deadlines);
                });
            } catch (const ExchangeFailure& caught) {
                failure = caught;
            }
            if (!failure) {
                if (keep_alive) {
                    checkin(std::move(connection));
                }
                co_return response;
            }
            if (request.resend_safe && reused && !fresh_only &&
                failure->stage != Stage::ReadingBody && peer_closed(failure->code)) {
                // The server closed this idle connection before we used it: not a failed attempt.
                spdlog::debug("{} {}: kept-alive connection was closed, sending again",
                              url_.authority(), request.label);
                fresh_only = true;
                continue;
            }
            throw exchange_error(request, *failure, response);
        }
    }

    std::uint64_t bytes_received = 0;
    std::uint64_t connections_opened = 0;
    std::deque<std::unique_ptr<Connection>> idle;

  private:
    void configure_tls() {
        tls_context_.set_default_verify_paths();
        if (options_.ca_file) {
            error_code code;
            tls_context_.load_verify_file(options_.ca_file->string(), code);
            if (code) {
                throw HttpError(ErrorClass::Misconfigured, 0,
                                fmt::format("could not load the CA file {}: {}",
                                            options_.ca_file->string(), code.message()));
            }
        }
        tls_context_.set_verify_mode(ssl::verify_peer);
    }

    asio::awaitable<std::pair<std::unique_ptr<Connection>, bool>> checkout(
        bool fresh_only, const Deadlines& deadlines) {
        if (!fresh_only && !idle.empty()) {
            auto connection = std::move(idle.back());
            idle.pop_back();
            co_return std::pair{std::move(connection), true};
        }
        co_return std::pair{co_await connect(deadlines), false};
    }

    void checkin(std::unique_ptr<Connection> connection) {
        if (idle.size() < options_.max_idle) {
            idle.push_back(std::move(connection));
        }
    }

    // The first hop of a new connection: the proxy when there is one, else the server.
    std::string first_hop() const {
        return proxy_ ? "the proxy " + proxy_->authority() : authority_form(url_.host, url_.port);
    }

    [[noreturn]] void unreachable(std::string_view why) const {
        throw HttpError(ErrorClass::Unreachable, 0,
                        fmt::format("could not connect to {}: {}", first_hop(), why));
    }

    asio::awaitable<beast::tcp_stream> open_tcp(std::chrono::steady_clock::time_point deadline) {
        const std::string& host = proxy_ ? proxy_->host : url_.host;
        std::uint16_t port = proxy_ ? proxy_->port : url_.port;
        auto budget = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        error_code code;
        tcp::resolver resolver(executor_);
        auto endpoints = co_await resolver.async_resolve(
            host, std::to_string(port), asio::redirect_error(asio::use_awaitable, code));
        if (code) {
            unreachable(
                fmt::format("the host name did not resolve ({})", lowercase_first(code.message())));
        }
        beast::tcp_stream stream(executor_);
        stream.expires_at(deadline);
        co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, code));
        if (code == beast::error::timeout) {
            unreachable(fmt::format("no answer within {} ms", budget.count()));
        }
        if (code) {
            unreachable(lowercase_first(code.message()));
        }
        co_return stream;
    }

    // TCP, then the proxy's tunnel, then TLS: all within connect_timeout and within the
    // request's own deadline.
    asio::awaitable<std::unique_ptr<Connection>> connect(const Deadlines& deadlines) {
        auto deadline = std::min(std::chrono::steady_clock::now() + options_.connect_timeout,
                                 deadlines.whole());
        beast::tcp_stream stream = co_await open_tcp(deadline);
        ++connections_opened;
        auto connection = std::make_unique<Connection>();
        // Beast reads as much as the buffer has room for, and 512 bytes when it has none.
        connection->buffer.reserve(kReadBuffer);
        if (proxy_) {
            co_await open_tunnel(stream, connection->buffer, *proxy_, url_);
            spdlog::debug("{}: connected through the proxy {}", url_.authority(),
                          proxy_->authority());
        }
        if (!url_.tls()) {
            connection->plain.emplace(std::move(stream));
            co_return connection;
        }
        if (connection->buffer.size() != 0) {
            unreachable("the proxy sent data before the TLS handshake");
        }
        connection->tls.emplace(std::move(stream), tls_context_);
        expect_host_name(connection->tls->native_handle());
        connection->tcp().expires_at(deadline);
        error_code code;
        co_await connection->tls->async_handshake(ssl::stream_base::client,
                                                  asio::redirect_error(asio::use_awaitable, code));
        if (code) {
            throw handshake_error(connection->tls->native_handle(), code);
        }
        co_return connection;
    }

    // OpenSSL checks the name during the handshake; SNI only for names, never addresses.
    void expect_host_name(SSL* handle) const {
        error_code not_an_address;
        asio::ip::make_address(url_.host, not_an_address);
        if (!not_an_address) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(handle), url_.host.c_str());
            return;
        }
        SSL_set_tlsext_host_name(handle, url_.host.c_str());
        SSL_set1_host(handle, url_.host.c_str());
    }

    // A refused certificate or a handshake the server will not complete is no passing
    // fault; a connection lost or timed out mid-handshake is.
    HttpError handshake_error(SSL* handle, const error_code& code) const {
        long verdict = SSL_get_verify_result(handle);
        if (verdict != X509_V_OK) {
            return HttpError(
                ErrorClass::TlsRefused, 0,
                fmt::format("the TLS certificate of {}:{} was not accepted: {}{}", url_.host,
                            url_.port, X509_verify_cert_error_string(verdict),
                            options_.ca_file ? "" : " (set ca_file for a private CA)"));
        }
        bool refused = code.category() == asio::error::get_ssl_category();
        return HttpError(refused ? ErrorClass::TlsRefused : ErrorClass::Retryable, 0,
                         fmt::format("the TLS handshake with {}:{} failed: {}", url_.host,
                                     url_.port, lowercase_first(code.message())));
    }

    template <class Stream>
    asio::awaitable<void> exchange(Stream& stream, Connection& connection, const Request& request,
                                   const std::string& wire, const BodySink& sink,
                                   Response& response, bool& keep_alive,
                                   const Deadlines& deadlines) {
        error_code code;
        // A request without a body shares one deadline with the head of its answer; one with a
        // body (an upload may take long) gives the answer a deadline of its own.
        connection.tcp().expires_at(deadlines.next(0));
        co_await asio::async_write(stream, asio::buffer(wire),
                                   asio::redirect_error(asio::use_awaitable, code));
        if (code) {
            throw ExchangeFailure{code, Stage::Sending};
        }
        if (!request.body.empty()) {
            connection.tcp().expires_at(deadlines.next(0));
        }
        bhttp::response_parser<bhttp::buffer_body> parser;
        // Not boost::none: Boost 1.74 compares the length against an empty optional and fails.
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        co_await bhttp::async_read_header(stream, connection.buffer, parser,
                                          asio::redirect_error(asio::use_awaitable, code));
        if (code) {
            throw ExchangeFailure{code, Stage::AwaitingHeader};
        }
        const auto& head = parser.get();
        response.head.status = head.result_int();
        response.head.content_type = std::string(head[bhttp::field::content_type]);
        response.head.retry_after = std::string(head[bhttp::field::retry_after]);
        if (auto length = parser.content_length()) {
            response.head.content_length = *length;
        }
        bool to_sink = sink && response.head.status / 100 == 2;
        if (!to_sink) {
            check_size(request, response, response.head.content_length.value_or(0));
            response.body.reserve(response.head.content_length.value_or(0));
        }
        std::uint64_t streamed = 0;
        std::array<char, 16384> chunk;
        for (bool first = true; !parser.is_done(); first = false) {
            parser.get().body().data = chunk.data();
            parser.get().body().size = chunk.size();
            if (!first) {
                connection.tcp().expires_at(deadlines.next(streamed));
            }
            co_await bhttp::async_read(stream, connection.buffer, parser,
                                       asio::redirect_error(asio::use_awaitable, code));
            if (code && code != bhttp::error::need_buffer) {
                throw ExchangeFailure{code, Stage::ReadingBody};
            }
            std::size_t got = chunk.size() - parser.get().body().size;
            bytes_received += got;
            if (to_sink) {
                streamed += got;
                sink(std::string_view(chunk.data(), got));
            } else {
                check_size(request, response, response.body.size() + got);
                make_room(response.body, response.body.size() + got);
                response.body.append(chunk.data(), got);
            }
        }
        keep_alive = parser.keep_alive();
    }

    // An answer held in memory may not outgrow max_answer_size, whatever its head claims.
    void check_size(const Request& request, const Response& response, std::uint64_t size) const {
        if (size <= options_.max_answer_size) {
            return;
        }
        throw HttpError(ErrorClass::Malformed, response.head.status,
                        fmt::format("{} answered {} {} with more than max_answer_size ({} bytes)",
                                    url_.authority(), request.method, request.target,
                                    options_.max_answer_size));
    }

    // Room for an answer of `size` bytes held in memory. Doubling a large body would hold
    // the old and the new buffer at once (up to 1.5x max_answer_size for a chunked answer
    // of unknown length); past kDoublingLimit, room for the largest answer allowed is
    // reserved once instead: pages not yet written are not resident.
    void make_room(std::string& body, std::uint64_t size) const {
        if (size <= body.capacity()) {
            return;
        }
        if (size <= kDoublingLimit) {
            body.reserve(std::max<std::size_t>(size, 2 * body.capacity()));
            return;
        }
        body.reserve(std::max<std::uint64_t>(size, options_.max_answer_size));
    }

    HttpError exchange_error(const Request& request, const ExchangeFailure& failure,
                             const Response& partial) const {
        std::string sentence;
        if (failure.code == beast::error::timeout) {
            sentence = fmt::format(
                "{} did not answer {} in time (read_timeout {} ms, request_timeout {} ms)",
                url_.authority(), request.label, options_.read_timeout.count(),
                options_.request_timeout.count());
        } else if (failure.stage == Stage::ReadingBody) {
            sentence = fmt::format("{} broke off its answer to {} (HTTP {}): {}", url_.authority(),
                                   request.label, partial.head.status,
                                   lowercase_first(failure.code.message()));
        } else if (peer_closed(failure.code)) {
            sentence = fmt::format("{} closed the connection without answering {}",
                                   url_.authority(), request.label);
        } else {
            sentence = fmt::format("{} to {} failed: {}", request.label, url_.authority(),
                                   lowercase_first(failure.code.message()));
        }
        return HttpError(ErrorClass::Retryable, 0, std::move(sentence));
    }

    asio::any_io_executor executor_;
    Url url_;
    PoolOptions options_;
    std::optional<Proxy> proxy_;  // nullopt: none, or no_proxy names the server
    ssl::context tls_context_;
};

ConnectionPool::ConnectionPool(asio::any_io_executor executor, Url url, PoolOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(url), std::move(options))) {}

ConnectionPool::~ConnectionPool() = default;

asio::awaitable<Response> ConnectionPool::send(Request request) {
    return impl_->send(std::move(request), {});
}

asio::awaitable<Response> ConnectionPool::send_streaming(Request request, BodySink sink) {
    return impl_->send(std::move(request), std::move(sink));
}

std::uint64_t ConnectionPool::bytes_received() const {
    return impl_->bytes_received;
}
std::uint64_t ConnectionPool::connections_opened() const {
    return impl_->connections_opened;
}
std::size_t ConnectionPool::idle_connections() const {
    return impl_->idle.size();
}

}  // namespace smartq::http
