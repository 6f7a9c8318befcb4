#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "sync/http/proxy.hpp"
#include "sync/http/url.hpp"

// The CONNECT exchange: a tunnel through the proxy for https:// and http:// targets
// alike, then TLS (or plain HTTP) end to end with the server, so the proxy sees no
// more than the host and port.
namespace smartq::http {

// Asks the proxy at the other end of `stream` (connected, its deadline set) for a
// tunnel to `target` and reads its answer's head into `buffer`. Throws HttpError:
// Unreachable, as a refused connection, when the proxy fails to answer or answers
// 403 or 407 (its policy or its credentials: no request was sent); Retryable for
// any other status (a proxy that could not reach the server).
boost::asio::awaitable<void> open_tunnel(boost::beast::tcp_stream& stream,
                                         boost::beast::flat_buffer& buffer, const Proxy& proxy,
                                         const Url& target);

}  // namespace smartq::http
