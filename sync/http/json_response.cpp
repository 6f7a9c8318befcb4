#include "sync/http/json_response.hpp"

#include <chrono>

#include <fmt/format.h>

#include "sync/http/connection_pool.hpp"
#include "sync/http/errors.hpp"
#include "sync/http/retry.hpp"
#include "sync/wire/utf8.hpp"

namespace smartq::http {

namespace {

constexpr std::size_t max_quoted_message = 300;

// A 503 that says when to come back is a rate limit by another name.
ErrorClass class_of(unsigned status, bool retry_after) {
    if (status == 401) {
        return ErrorClass::AuthRefused;
    }
    if (status == 429 || (status == 503 && retry_after)) {
        return ErrorClass::RateLimited;
    }
    if (status >= 500 || status == 408) {
        return ErrorClass::Retryable;
    }
    return ErrorClass::Permanent;
}

struct EnvelopeError {
    unsigned code = 0;
    std::string message;
};

// The envelope's error object, if the body is an envelope that carries one.
std::optional<EnvelopeError> envelope_error(simdjson::dom::element root) {
    simdjson::dom::object error;
    if (root["error"].get(error) != simdjson::SUCCESS) {
        return std::nullopt;
    }
    EnvelopeError out;
    std::int64_t code = 0;
    std::string_view code_text;
    if (error["code"].get(code) == simdjson::SUCCESS && code > 0) {
        out.code = static_cast<unsigned>(code);
    } else if (error["code"].get(code_text) == simdjson::SUCCESS) {
        out.code = static_cast<unsigned>(std::atoi(std::string(code_text).c_str()));
    }
    std::string_view message;
    if (error["message"].get(message) == simdjson::SUCCESS) {
        out.message = message.substr(0, max_quoted_message);
    }
    return out;
}

std::string_view body_kind(const Response& response) {
    auto first = response.body.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) {
        return "an empty body";
    }
    bool html =
        response.head.content_type.find("html") != std::string::npos || response.body[first] == '<';
    return html ? "an HTML page" : "a body that is not JSON";
}

HttpError status_error(unsigned status, std::string_view host, std::string_view what,
                       const std::string& server_message,
                       std::optional<std::chrono::milliseconds> retry_after) {
    auto sentence = fmt::format("{} answered HTTP {} for {}: {}", host, status, what,
                                server_message.empty() ? "no reason given" : server_message);
    return HttpError(class_of(status, retry_after.has_value()), status, std::move(sentence),
                     retry_after, server_message);
}

}  // namespace

void throw_for_status(const Response& response, std::string_view host, std::string_view what) {
    unsigned status = response.head.status;
    auto retry_after =
        parse_retry_after(response.head.retry_after, std::chrono::system_clock::now());
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(response.body).get(root) == simdjson::SUCCESS) {
        if (auto error = envelope_error(root)) {
            throw status_error(status, host, what, error->message, retry_after);
        }
    }
    throw HttpError(
        class_of(status, retry_after.has_value()), status,
        fmt::format("{} answered HTTP {} with {} for {}", host, status, body_kind(response), what),
        retry_after);
}

JsonResponse JsonResponse::interpret(Response response, std::string_view host,
                                     std::string_view what) {
    unsigned status = response.head.status;
    if (status < 200 || status >= 300) {
        throw_for_status(response, host, what);
    }
    JsonResponse out;
    out.status_ = status;
    // Invalid UTF-8 in one object's text would make the whole page unparsable: it is read with
    // U+FFFD in its place, and the count lets the caller name what was repaired.
    out.repairs_ = wire::repair_utf8(response.body);
    out.body_ = simdjson::padded_string(response.body);
    out.parser_ = std::make_unique<simdjson::dom::parser>();
    simdjson::dom::object envelope;
    if (out.parser_->parse(out.body_).get(out.root_) != simdjson::SUCCESS ||
        out.root_.get(envelope) != simdjson::SUCCESS || envelope["data"].error()) {
        // A proxy cut the body short or mangled it: the next attempt may well be whole,
        // and if none is, the answer is unusable (Malformed, not a passing fault).
        throw HttpError(ErrorClass::Malformed, status,
                        fmt::format("{} answered HTTP {} with {} for {}", host, status,
                                    response.body.empty() ? "an empty body"
                                                          : "a truncated or invalid JSON body",
                                    what));
    }
    if (auto error = envelope_error(out.root_)) {
        unsigned code = error->code >= 400 ? error->code : 400;
        throw status_error(code, host, what, error->message, std::nullopt);
    }
    return out;
}

simdjson::dom::element JsonResponse::data() const {
    return root_["data"].value_unsafe();
}

}  // namespace smartq::http
