// request_text against Beast's own serializer, which wrote every request before it: the same
// bytes for every method, header and body the client sends. Fixed seeds in CI; any seed by hand:
// SMARTQ_PROPERTY_SEED=N.
#include <doctest/doctest.h>

#include <boost/beast/http.hpp>

#include <cstdlib>
#include <random>
#include <sstream>
#include <string>

#include "sync/http/request_text.hpp"

namespace bhttp = boost::beast::http;
using smartq::http::Request;
using smartq::http::request_text;

namespace {

// The request as the connection pool built it for Beast to write.
std::string beast_text(const Request& request, const std::string& host) {
    bhttp::request<bhttp::string_body> out;
    out.method_string(request.method);
    out.target(request.target);
    out.version(11);
    out.set(bhttp::field::host, host);
    out.set(bhttp::field::user_agent, "smartq-backup");
    out.set(bhttp::field::accept, "application/json");
    for (const auto& header : request.headers) {
        out.set(header.name, header.value);
    }
    if (!request.content_type.empty()) {
        out.set(bhttp::field::content_type, request.content_type);
    }
    out.body() = request.body;
    out.keep_alive(true);
    if (request.method != "GET") {
        out.prepare_payload();
    }
    std::ostringstream text;
    text << out;
    return text.str();
}

std::uint64_t seed() {
    const char* text = std::getenv("SMARTQ_PROPERTY_SEED");
    return text ? std::strtoull(text, nullptr, 10) : 14;
}

}  // namespace

TEST_CASE("request_text: a GET with a token") {
    Request request{.method = "GET", .target = "/api/v1/tickets?page=2", .headers = {}};
    request.headers.push_back({"Authorization", "Bearer abc"});
    CHECK(request_text(request, "h:8080") ==
          "GET /api/v1/tickets?page=2 HTTP/1.1\r\nHost: h:8080\r\nUser-Agent: smartq-backup\r\n"
          "Accept: application/json\r\nAuthorization: Bearer abc\r\n\r\n");
}

TEST_CASE("request_text: a PUT and a POST say their length even when empty, a DELETE does not") {
    for (const char* method : {"PUT", "POST"}) {
        Request request{.method = method, .target = "/x"};
        CHECK(request_text(request, "h").find("\r\nContent-Length: 0\r\n\r\n") !=
              std::string::npos);
    }
    Request remove{.method = "DELETE", .target = "/x"};
    CHECK(request_text(remove, "h").find("Content-Length") == std::string::npos);
}

TEST_CASE("request_text writes what Beast's serializer wrote, for any request the client makes") {
    std::mt19937_64 random(seed());
    const char* methods[] = {"GET", "POST", "PUT", "DELETE"};
    const char* names[] = {"Authorization", "X-Api-Key", "accept", "HOST", "If-Match", "Accept"};
    const char* bodies[] = {"", "{\"ticket\":{\"name\":\"a\"}}",
                            "--B\r\nbinary\x01\x7f\r\n--B--\r\n"};
    for (int i = 0; i < 500; ++i) {
        Request request{.method = methods[random() % 4],
                        .target = "/api/v1/items/" + std::to_string(i)};
        for (auto headers = random() % 4; headers > 0; --headers) {
            request.headers.push_back({names[random() % 6], "v" + std::to_string(random() % 100)});
        }
        if (random() % 2) {
            request.content_type = random() % 2 ? "application/json" : "multipart/form-data; b=B";
        }
        request.body = bodies[random() % 3];
        if (request.method == "GET") {
            request.body.clear();
        }
        INFO("request ", i, ": ", request.method, " with ", request.headers.size(), " headers");
        CHECK(request_text(request, "sandbox:1") == beast_text(request, "sandbox:1"));
    }
}
