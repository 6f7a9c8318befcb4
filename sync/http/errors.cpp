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
    }
    return "unknown";
}

}  // namespace smartq::http
