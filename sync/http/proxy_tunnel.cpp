#include "sync/http/proxy_tunnel.hpp"

#include <openssl/evp.h>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http.hpp>

#include <fmt/format.h>

#include "sync/http/errors.hpp"

namespace smartq::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

namespace {

std::string basic_credentials(const Proxy& proxy) {
    std::string plain = proxy.user + ":" + proxy.password;
    std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
    int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                 reinterpret_cast<const unsigned char*>(plain.data()),
                                 static_cast<int>(plain.size()));
    encoded.resize(static_cast<std::size_t>(length));
    return "Basic " + encoded;
}

std::string refusal_hint(unsigned status, const Proxy& proxy) {
    if (status == 403) {
        return " (its policy does not let this host through)";
    }
    if (status == 407) {
        return proxy.user.empty()
                   ? " (it wants a user and password: http://USER:PASSWORD@HOST:PORT)"
                   : " (check the user and password of the proxy's URL)";
    }
    return "";
}

}  // namespace

asio::awaitable<void> open_tunnel(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                  const Proxy& proxy, const Url& target) {
    std::string where = authority_form(target.host, target.port);
    bhttp::request<bhttp::empty_body> request{bhttp::verb::connect, where, 11};
    request.set(bhttp::field::host, where);
    request.set(bhttp::field::user_agent, "smartq-backup");
    if (!proxy.user.empty()) {
        request.set(bhttp::field::proxy_authorization, basic_credentials(proxy));
    }
    error_code code;
    co_await bhttp::async_write(stream, request, asio::redirect_error(asio::use_awaitable, code));
    bhttp::response_parser<bhttp::empty_body> parser;
    if (!code) {
        co_await bhttp::async_read_header(stream, buffer, parser,
                                          asio::redirect_error(asio::use_awaitable, code));
    }
    if (code) {
        std::string why =
            code == beast::error::timeout ? "it did not answer in time" : code.message();
        throw HttpError(ErrorClass::Unreachable, 0,
                        fmt::format("could not connect to {} through the proxy {}: {}", where,
                                    proxy.authority(), why));
    }
    unsigned status = parser.get().result_int();
    if (status / 100 == 2) {
        co_return;
    }
    bool refused = status == 403 || status == 407;
    throw HttpError(
        refused ? ErrorClass::Unreachable : ErrorClass::Retryable, 0,
        fmt::format("the proxy {} did not open a tunnel to {}: it answered {} {}{}",
                    proxy.authority(), where, status,
                    std::string_view(bhttp::obsolete_reason(bhttp::int_to_status(status))),
                    refusal_hint(status, proxy)));
}

}  // namespace smartq::http
