#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sync/http/proxy.hpp"
#include "sync/http/url.hpp"

// The bottom layer: HTTP/1.1 exchanges over kept-alive TCP or TLS connections.
// Beast and OpenSSL stay inside connection_pool.cpp.
namespace smartq::http {

struct Header {
    std::string name;
    std::string value;
};

struct Request {
    std::string method;  // "GET", "POST", "PUT", "DELETE"
    std::string target;  // absolute path on the host, query included
    std::string label;   // names the request in messages and logs: "GET /projects"
    std::vector<Header> headers;
    std::string content_type;  // empty: no body
    std::string body;
    // Safe to send twice (a GET, the token POST): only such a request is sent again
    // when a kept-alive connection turns out to be closed. A write may have been
    // committed by then.
    bool resend_safe = false;
};

struct ResponseHead {
    unsigned status = 0;
    std::string content_type;
    std::string retry_after;
    std::optional<std::uint64_t> content_length;
};

struct Response {
    ResponseHead head;
    std::string body;  // empty when a 2xx body went to a sink
};

using BodySink = std::function<void(std::string_view)>;

struct PoolOptions {
    std::optional<std::filesystem::path> ca_file;  // extra trust anchor beside the system store
    // A new connection's whole set-up: TCP, the proxy's CONNECT, the TLS handshake.
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds read_timeout{60000};  // per read or write, not per body
    // From asking for a connection (a new one's set-up included) to the last byte of the
    // answer. A streamed body gets this again for every kStreamedBytesPerDeadline it
    // delivers, so a big download is not cut short.
    std::chrono::milliseconds request_timeout{120000};
    std::uint64_t max_answer_size = 64u << 20;  // an answer held in memory (not streamed)
    std::size_t max_idle = 8;                   // kept-alive connections kept for reuse
    // New connections go through this proxy's CONNECT tunnel unless its no_proxy names
    // the host; a tunnelled connection is kept alive and reused like any other.
    std::optional<Proxy> proxy;
};

inline constexpr std::uint64_t kStreamedBytesPerDeadline = 16u << 20;

// Failures come out as HttpError: Unreachable when no connection could be made
// (a proxy that refused the tunnel included; see proxy_tunnel.hpp),
// Retryable when an established connection failed or timed out, TlsRefused when the
// certificate or the handshake was refused, Malformed when an answer is larger than
// max_answer_size, Misconfigured when ca_file does not load. A resend_safe request
// that fails on a reused connection the server had already closed is sent again
// once on a fresh one.
class ConnectionPool {
  public:
    ConnectionPool(boost::asio::any_io_executor executor, Url url, PoolOptions options);
    ~ConnectionPool();
    ConnectionPool(const ConnectionPool&) = delete;
    ConnectionPool& operator=(const ConnectionPool&) = delete;

    boost::asio::awaitable<Response> send(Request request);
    // A 2xx body is handed to sink in chunks as it arrives; any other body is returned.
    boost::asio::awaitable<Response> send_streaming(Request request, BodySink sink);

    std::uint64_t bytes_received() const;
    std::uint64_t connections_opened() const;
    std::size_t idle_connections() const;

  private:
    class Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace smartq::http
