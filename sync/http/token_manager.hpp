#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sync/http/connection_pool.hpp"
#include "sync/http/credentials.hpp"
#include "sync/http/json_response.hpp"
#include "sync/http/semaphore.hpp"

namespace smartq::http {

// The authorization headers of one request, and which token generation they carry.
struct Authorization {
    std::vector<Header> headers;
    std::uint64_t generation = 0;
};

// OAuth2 token, refresh and Basic fallback. Concurrent requests share one token
// fetch: the first takes the lock, the others wait and then use its result.
class TokenManager {
  public:
    // Sends a token request (already addressed to the token endpoint) and interprets it.
    using TokenExchange = std::function<boost::asio::awaitable<JsonResponse>(Request)>;

    TokenManager(boost::asio::any_io_executor executor, Credentials credentials,
                 std::string account, std::string host, std::string token_target,
                 TokenExchange exchange);

    boost::asio::awaitable<Authorization> authorize();
    // `used` was answered 401. Refreshes the token, or logs in again if refreshing
    // fails, unless another request already did since `used` was issued. Throws
    // HttpError AuthRefused when the server will not take our credentials.
    boost::asio::awaitable<void> recover(const Authorization& used);
    // A 401 that no fresh token can fix, phrased for the mode in use.
    [[noreturn]] void throw_refused(std::string_view server_message) const;

    bool using_tokens() const { return mode_ == Mode::Token; }
    std::uint64_t token_requests() const { return token_requests_; }

  private:
    enum class Mode { Unknown, Token, Basic };

    [[noreturn]] void throw_login_refused(std::string_view server_message) const;
    boost::asio::awaitable<void> log_in();
    boost::asio::awaitable<bool> refresh();
    void take_tokens(const JsonResponse& answer);
    Request token_request(Header credential) const;
    Header basic_header() const;

    Credentials credentials_;
    std::string account_;
    std::string host_;
    std::string token_target_;
    TokenExchange exchange_;
    std::shared_ptr<AsyncSemaphore> lock_;
    Mode mode_ = Mode::Unknown;
    std::string access_token_;
    std::string refresh_token_;
    std::uint64_t generation_ = 0;
    std::uint64_t token_requests_ = 0;
};

// True when a 401's message says the API key (client id) is what was refused.
bool mentions_client_id(std::string_view message);

}  // namespace smartq::http
