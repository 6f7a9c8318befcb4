#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace smartq::http {

// Decided once, where a failure arises; the retry layer and the exit code follow it.
enum class ErrorClass {
    Retryable,       // 5xx, dropped connection, timeout, truncated body
    RateLimited,     // 429 (or 503 with Retry-After); retry_after: the wait the server asked for
    Permanent,       // 4xx (not 401/429): retrying cannot help
    AuthRefused,     // API key or login refused: a configuration problem
    Unreachable,     // no connection could be made at all
    Malformed,       // a 2xx whose body is not a JSON envelope, or is over max_answer_size
    TlsRefused,      // the certificate or the TLS handshake was refused: the service is unusable
    Misconfigured,   // the client's own settings cannot be used (a ca_file that does not load)
    OutcomeUnknown,  // a write was sent but its answer lost: the server may have committed it
};

std::string_view to_string(ErrorClass cls);

class HttpError : public std::runtime_error {
  public:
    HttpError(ErrorClass cls, unsigned status, std::string message,
              std::optional<std::chrono::milliseconds> retry_after = {},
              std::string server_message = {})
        : std::runtime_error(std::move(message)),
          cls_(cls),
          status_(status),
          retry_after_(retry_after),
          server_message_(std::move(server_message)) {}

    ErrorClass cls() const { return cls_; }
    unsigned status() const { return status_; }  // 0 when no HTTP answer was read
    std::optional<std::chrono::milliseconds> retry_after() const { return retry_after_; }
    // The server's own words (the envelope's error.message), empty if it gave none.
    const std::string& server_message() const { return server_message_; }

  private:
    ErrorClass cls_;
    unsigned status_;
    std::optional<std::chrono::milliseconds> retry_after_;
    std::string server_message_;
};

}  // namespace smartq::http
