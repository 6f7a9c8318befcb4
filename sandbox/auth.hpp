// Authentication as the smartQ guide and wire-notes.md describe it: an API key
// on every request, then Basic credentials or an OAuth2 access token.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api.hpp"

namespace smartq::sandbox {

// What the HTTP layer extracted from a request.
struct Credentials {
    std::optional<std::string> client_id;        // header X-Auth-Client-Id or X_AUTH_CLIENT_ID
    std::optional<std::string> authorization;    // the Authorization header ("Basic ...")
    std::optional<std::string> x_authorization;  // the X-Authorization header ("OAUTH2 ...")
};

// Either a user id or the guide's 401 answer.
struct AuthResult {
    std::int64_t user_id = 0;
    std::optional<ApiResponse> failure;
};

class Authenticator {
  public:
    using Clock = std::chrono::steady_clock;
    using PasswordCheck =
        std::function<std::optional<std::int64_t>(std::string_view, std::string_view)>;

    Authenticator(std::string api_key, std::chrono::seconds token_ttl, PasswordCheck check);

    // Any /api/v1 resource but oauth2.
    AuthResult authenticate(const Credentials& credentials, Clock::time_point now) const;
    // POST /api/v1/oauth2: Basic credentials or a refresh token in, a new pair out.
    ApiResponse issue_token(const Credentials& credentials, Clock::time_point now);
    // Forgets every token (admin reset with data).
    void revoke_all();

  private:
    struct Token {
        std::int64_t user_id;
        Clock::time_point expires;
    };
    std::optional<ApiResponse> check_client_id(const Credentials& credentials) const;
    AuthResult check_basic(std::string_view authorization) const;
    std::string api_key_;
    std::chrono::seconds token_ttl_;
    PasswordCheck check_password_;
    std::unordered_map<std::string, Token> access_tokens_;
    std::unordered_map<std::string, std::int64_t> refresh_tokens_;  // single use
};

// {"error":{"type":null,"code":N,"message":"..."},"data":null} with status N.
// One envelope for both halves: defined with the model (account_request.cpp).
ApiResponse error_response(unsigned status, std::string_view message);

// "Basic dXNlcjpwYXNz" -> {"user","pass"}; nullopt if it is not valid Basic auth.
std::optional<std::pair<std::string, std::string>> parse_basic(std::string_view authorization);

}  // namespace smartq::sandbox
