#include "sync/http/token_manager.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "sync/http/errors.hpp"

namespace smartq::http {

namespace asio = boost::asio;

namespace {

std::string base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(written));
    return out;
}

bool token_endpoint_missing(const HttpError& error) {
    return error.status() == 404 || error.status() == 405;
}

}  // namespace

bool mentions_client_id(std::string_view message) {
    std::string lower(message);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return lower.find("client id") != std::string::npos ||
           lower.find("client_id") != std::string::npos;
}

TokenManager::TokenManager(asio::any_io_executor executor, Credentials credentials,
                           std::string account, std::string host, std::string token_target,
                           TokenExchange exchange)
    : credentials_(std::move(credentials)),
      account_(std::move(account)),
      host_(std::move(host)),
      token_target_(std::move(token_target)),
      exchange_(std::move(exchange)),
      lock_(AsyncSemaphore::create(std::move(executor), 1)) {}

asio::awaitable<Authorization> TokenManager::authorize() {
    if (mode_ == Mode::Unknown) {
        auto held = co_await lock_->acquire();
        if (mode_ == Mode::Unknown) {
            co_await log_in();
        }
    }
    Authorization out;
    out.generation = generation_;
    out.headers.push_back({"X-Auth-Client-Id", credentials_.api_key});
    if (mode_ == Mode::Token) {
        out.headers.push_back({"X-Authorization", "OAUTH2 " + access_token_});
    } else {
        out.headers.push_back(basic_header());
    }
    co_return out;
}

asio::awaitable<void> TokenManager::recover(const Authorization& used) {
    auto held = co_await lock_->acquire();
    if (generation_ != used.generation) {
        co_return;  // another request already refreshed while this one waited
    }
    if (!co_await refresh()) {
        co_await log_in();
    }
}

void TokenManager::throw_refused(std::string_view server_message) const {
    std::string reason = server_message.empty() ? "no reason given" : std::string(server_message);
    if (mentions_client_id(server_message)) {
        throw HttpError(
            ErrorClass::AuthRefused, 401,
            fmt::format("the API key for {} was refused by {} (401 {})", account_, host_, reason),
            std::nullopt, std::string(server_message));
    }
    if (mode_ == Mode::Token) {
        throw HttpError(ErrorClass::AuthRefused, 401,
                        fmt::format("{} refused a freshly issued token for {} (401 {})", host_,
                                    account_, reason),
                        std::nullopt, std::string(server_message));
    }
    throw_login_refused(server_message);
}

void TokenManager::throw_login_refused(std::string_view server_message) const {
    throw HttpError(
        ErrorClass::AuthRefused, 401,
        fmt::format("login {} was refused by {} (wrong password?)", credentials_.login, host_),
        std::nullopt, std::string(server_message));
}

asio::awaitable<void> TokenManager::log_in() {
    std::optional<HttpError> failure;
    try {
        ++token_requests_;
        Request login = token_request(basic_header());
        take_tokens(co_await exchange_(std::move(login)));
        spdlog::debug("{} logged in as {} and got a token", account_, credentials_.login);
        co_return;
    } catch (const HttpError& error) {
        failure = error;
    }
    if (token_endpoint_missing(*failure)) {
        spdlog::info("{}: {} has no token endpoint; using Basic auth on every request", account_,
                     host_);
        mode_ = Mode::Basic;
        ++generation_;
        co_return;
    }
    if (failure->status() == 401) {
        if (mentions_client_id(failure->server_message())) {
            throw_refused(failure->server_message());
        }
        throw_login_refused(failure->server_message());
    }
    throw *failure;
}

asio::awaitable<bool> TokenManager::refresh() {
    if (refresh_token_.empty()) {
        co_return false;
    }
    std::optional<HttpError> failure;
    try {
        ++token_requests_;
        Request renewal = token_request(Header{"X-Authorization", "OAUTH2 " + refresh_token_});
        take_tokens(co_await exchange_(std::move(renewal)));
        spdlog::debug("{} refreshed its token", account_);
        co_return true;
    } catch (const HttpError& error) {
        failure = error;
    }
    if (mentions_client_id(failure->server_message())) {
        throw_refused(failure->server_message());
    }
    if (failure->cls() == ErrorClass::AuthRefused || failure->cls() == ErrorClass::Permanent) {
        spdlog::info("{}: token refresh refused ({}); logging in again", account_,
                     failure->status());
        co_return false;
    }
    throw *failure;
}

void TokenManager::take_tokens(const JsonResponse& answer) {
    std::string_view access;
    std::string_view refresh;
    auto data = answer.data();
    if (data["access_token"].get(access) != simdjson::SUCCESS || access.empty()) {
        throw HttpError(
            ErrorClass::Permanent, answer.status(),
            fmt::format("{} answered the token request without an access_token", host_));
    }
    if (data["refresh_token"].get(refresh) != simdjson::SUCCESS) {
        refresh = {};
    }
    access_token_ = access;
    refresh_token_ = refresh;
    mode_ = Mode::Token;
    ++generation_;
}

Request TokenManager::token_request(Header credential) const {
    Request request;
    request.method = "POST";
    request.target = token_target_;
    request.label = "POST /oauth2/";
    request.headers.push_back({"X-Auth-Client-Id", credentials_.api_key});
    request.headers.push_back(std::move(credential));
    request.content_type = "application/x-www-form-urlencoded";
    request.resend_safe = true;  // a login or refresh changes nothing if it happens twice
    return request;
}

Header TokenManager::basic_header() const {
    return {"Authorization", "Basic " + base64(credentials_.login + ":" + credentials_.password)};
}

}  // namespace smartq::http
