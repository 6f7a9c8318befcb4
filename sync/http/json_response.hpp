#pragma once

#include <simdjson.h>
#include <memory>
#include <string>
#include <string_view>

namespace smartq::http {

struct Response;

// A parsed smartQ answer: {"error": null|{type,code,message}, "data": ...}.
// It owns the body and the parser, so the elements stay valid as long as it lives.
class JsonResponse {
  public:
    // Throws HttpError for every answer that is not a 2xx with a valid, error-free
    // envelope. `what` names the request in messages ("GET /projects"); `host` the server.
    static JsonResponse interpret(Response response, std::string_view host, std::string_view what);

    unsigned status() const { return status_; }
    simdjson::dom::element envelope() const { return root_; }
    simdjson::dom::element data() const;
    // Ill-formed UTF-8 sequences replaced with U+FFFD before parsing (0: the body was valid).
    std::size_t repairs() const { return repairs_; }

  private:
    JsonResponse() = default;

    unsigned status_ = 0;
    std::size_t repairs_ = 0;
    simdjson::padded_string body_;
    std::unique_ptr<simdjson::dom::parser> parser_;
    simdjson::dom::element root_;
};

// Throws the HttpError a non-2xx answer stands for (the body may be HTML, JSON or empty).
[[noreturn]] void throw_for_status(const Response& response, std::string_view host,
                                   std::string_view what);

}  // namespace smartq::http
