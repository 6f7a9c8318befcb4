#include "sync/http/errors.hpp"

namespace smartq::http {

std::string_view to_string(ErrorClass cls) {
    switch (cls) {
        case ErrorClass::Retryable:
            return "retryable";
        case ErrorClass::RateLimited:
            return "rate-limited";
        case ErrorClass::Permanent:
            return "permanent";
        case ErrorClass::AuthRefused:
            return "auth-refused";
        case ErrorClass::Unreachable:
            return "unreachable";
        case ErrorClass::Malformed:
            return "malformed";
        case ErrorClass::TlsRefused:
            return "tls-refused";
        case ErrorClass::Misconfigured:
            return "misconfigured";
        case ErrorClass::OutcomeUnknown:
            return "outcome-unknown";
    }
    return "unknown";
}

}  // namespace smartq::http
