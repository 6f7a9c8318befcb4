// JSON helpers of the server conformance tests.
#pragma once

#include <simdjson.h>

#include <string>

#include "support/http_client.hpp"

namespace smartq::test {

// Owns the parser so that the elements stay valid as long as the document.
struct Json {
    explicit Json(const std::string& text) : root(parser.parse(text).value()) {}
    simdjson::dom::parser parser;
    simdjson::dom::element root;
};

inline std::int64_t id_of(simdjson::dom::element value) {
    if (value.is_string()) {
        return std::stoll(std::string(value.get_string().value()));
    }
    return value.get_int64().value();
}

// The first object of a list answer's data (array or keyed object).
inline simdjson::dom::element first_item(simdjson::dom::element data) {
    if (data.is_array()) {
        return data.get_array().at(0).value();
    }
    for (auto field : simdjson::dom::object(data.get_object())) {
        return field.value;
    }
    throw std::runtime_error("empty list");
}

// Checks the guide's error envelope and the matching status.
inline void check_error(const HttpResponse& response, unsigned status) {
    CAPTURE(response.body);
    REQUIRE(response.status == status);
    Json json(response.body);
    CHECK(json.root["data"].is_null());
    CHECK(json.root["error"]["type"].is_null());
    CHECK(json.root["error"]["code"].get_int64().value() == status);
    CHECK_FALSE(std::string(json.root["error"]["message"].get_string().value()).empty());
}

}  // namespace smartq::test
