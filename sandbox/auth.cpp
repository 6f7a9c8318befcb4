#include "auth.hpp"

#include <cctype>
#include <stdexcept>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "sync/wire/json_writer.hpp"

namespace smartq::sandbox {
namespace {

constexpr std::string_view invalid_client_id = "Authorization failed, invalid client id";

bool istarts_with(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) !=
            std::tolower(static_cast<unsigned char>(prefix[i]))) {
            return false;
        }
    }
    return true;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
        text.remove_prefix(1);
    }
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
        text.remove_suffix(1);
    }
    return text;
}

// "OAUTH2 <token>" (the guide writes it without a space after the colon, so
// the header value may carry leading blanks).
std::optional<std::string> oauth2_token(const std::optional<std::string>& header) {
    if (!header) {
        return std::nullopt;
    }
    auto value = trim(*header);
    if (!istarts_with(value, "OAUTH2")) {
        return std::nullopt;
    }
    auto token = trim(value.substr(6));
    if (token.empty()) {
        return std::nullopt;
    }
    return std::string(token);
}

std::string random_token() {
    unsigned char bytes[20];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        throw std::runtime_error("the system random generator failed");
    }
    std::string token;
    for (unsigned char byte : bytes) {
        token += fmt::format("{:02x}", byte);
    }
    return token;
}

}  // namespace

std::optional<std::pair<std::string, std::string>> parse_basic(std::string_view authorization) {
    authorization = trim(authorization);
    if (!istarts_with(authorization, "Basic ")) {
        return std::nullopt;
    }
    auto encoded = trim(authorization.substr(6));
    if (encoded.empty() || encoded.size() % 4 != 0) {
        return std::nullopt;
    }
    std::string decoded(encoded.size() / 4 * 3, '\0');
    int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                 reinterpret_cast<const unsigned char*>(encoded.data()),
                                 static_cast<int>(encoded.size()));
    if (length < 0) {
        return std::nullopt;
    }
    // EVP_DecodeBlock counts the padding as zero bytes.
    std::size_t padding = 0;
    for (auto it = encoded.rbegin(); it != encoded.rend() && *it == '='; ++it) {
        ++padding;
    }
    decoded.resize(static_cast<std::size_t>(length) - padding);
    auto colon = decoded.find(':');
    if (colon == std::string::npos) {
        return std::nullopt;
    }
    return std::pair{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

Authenticator::Authenticator(std::string api_key, std::chrono::seconds token_ttl,
                             PasswordCheck check)
    : api_key_(std::move(api_key)), token_ttl_(token_ttl), check_password_(std::move(check)) {}

std::optional<ApiResponse> Authenticator::check_client_id(const Credentials& credentials) const {
    if (!credentials.client_id || *credentials.client_id != api_key_) {
        return error_response(401, invalid_client_id);
    }
    return std::nullopt;
}

AuthResult Authenticator::check_basic(std::string_view authorization) const {
    auto login = parse_basic(authorization);
    if (!login) {
        return {0, error_response(401, "Authorization failed, malformed Basic credentials")};
    }
    auto user = check_password_(login->first, login->second);
    if (!user) {
        return {0, error_response(401, "Authorization failed, invalid login or password")};
    }
    return {*user, std::nullopt};
}

AuthResult Authenticator::authenticate(const Credentials& credentials,
                                       Clock::time_point now) const {
    if (auto failure = check_client_id(credentials)) {
        return {0, std::move(failure)};
    }
    if (auto token = oauth2_token(credentials.x_authorization)) {
        auto found = access_tokens_.find(*token);
        if (found == access_tokens_.end()) {
            return {0, error_response(401, "Authorization failed, invalid token")};
        }
        if (now >= found->second.expires) {
            return {0, error_response(401, "Authorization failed, token expired")};
        }
        return {found->second.user_id, std::nullopt};
    }
    if (credentials.authorization) {
        return check_basic(*credentials.authorization);
    }
    return {0, error_response(401, "Authorization failed, no credentials given")};
}

ApiResponse Authenticator::issue_token(const Credentials& credentials, Clock::time_point now) {
    if (auto failure = check_client_id(credentials)) {
        return std::move(*failure);
    }
    std::int64_t user_id = 0;
    if (auto refresh = oauth2_token(credentials.x_authorization)) {
        auto found = refresh_tokens_.find(*refresh);
        if (found == refresh_tokens_.end()) {
            return error_response(401, "Authorization failed, invalid refresh token");
        }
        user_id = found->second;
        refresh_tokens_.erase(found);
    } else if (credentials.authorization) {
        auto basic = check_basic(*credentials.authorization);
        if (basic.failure) {
            return std::move(*basic.failure);
        }
        user_id = basic.user_id;
    } else {
        return error_response(401, "Authorization failed, no credentials given");
    }
    // Expired access tokens are dropped here so the table stays small.
    std::erase_if(access_tokens_, [now](const auto& entry) { return now >= entry.second.expires; });
    auto access = random_token();
    auto refresh = random_token();
    access_tokens_[access] = Token{user_id, now + token_ttl_};
    refresh_tokens_[refresh] = user_id;

    ApiResponse response;
    wire::JsonWriter json(response.body);
    json.begin_object()
        .key("error")
        .null()
        .key("data")
        .begin_object()
        .key("access_token")
        .value(access)
        .key("refresh_token")
        .value(refresh)
        .key("expires_in")
        .value(static_cast<std::int64_t>(token_ttl_.count()))
        .key("token_type")
        .value("bearer")
        .end_object()
        .end_object();
    return response;
}

void Authenticator::revoke_all() {
    access_tokens_.clear();
    refresh_tokens_.clear();
}

}  // namespace smartq::sandbox
