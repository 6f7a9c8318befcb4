#include <doctest/doctest.h>

#include "sync/http/connection_pool.hpp"
#include "sync/http/errors.hpp"
#include "sync/http/json_response.hpp"

using namespace smartq::http;
using namespace std::chrono_literals;

namespace {

Response answer(unsigned status, std::string body, std::string type = "application/json") {
    Response response;
    response.head.status = status;
    response.head.content_type = std::move(type);
    response.body = std::move(body);
    return response;
}

HttpError failure_of(Response response) {
    try {
        JsonResponse::interpret(std::move(response), "acme.smartqweb.com", "GET /projects");
    } catch (const HttpError& error) {
        return error;
    }
    FAIL("no HttpError was thrown");
    throw;
}

}  // namespace

TEST_CASE("JsonResponse: data of a good envelope") {
    auto parsed = JsonResponse::interpret(answer(200, R"({"error":null,"data":[{"id":"5"}]})"), "h",
                                          "GET /x");
    CHECK(parsed.status() == 200);
    std::string_view id;
    CHECK(parsed.data().at(0)["id"].get(id) == simdjson::SUCCESS);
    CHECK(id == "5");
}

TEST_CASE("JsonResponse: the parsed data outlives a move") {
    auto parsed =
        JsonResponse::interpret(answer(200, R"({"error":null,"data":{"a":"b"}})"), "h", "GET /x");
    JsonResponse moved = std::move(parsed);
    std::string_view a;
    CHECK(moved.data()["a"].get(a) == simdjson::SUCCESS);
    CHECK(a == "b");
}

TEST_CASE("JsonResponse: a 2xx with a truncated, invalid or non-envelope body is Malformed") {
    for (const char* body :
         {R"({"error":null,"data":[{"id":)", "not json", "", "[1,2]", R"({"error":null})"}) {
        auto error = failure_of(answer(200, body));
        CHECK(error.cls() == ErrorClass::Malformed);
        CHECK(std::string(error.what()).find("GET /projects") != std::string::npos);
    }
}

TEST_CASE("JsonResponse: an error envelope with HTTP 200 is classified by its code") {
    auto error = failure_of(answer(
        200, R"({"error":{"type":null,"code":404,"message":"Project not found"},"data":null})"));
    CHECK(error.cls() == ErrorClass::Permanent);
    CHECK(error.status() == 404);
    CHECK(error.server_message() == "Project not found");
    CHECK(std::string(error.what()) ==
          "acme.smartqweb.com answered HTTP 404 for GET /projects: Project not found");
}

TEST_CASE("JsonResponse: an HTML 502 is Retryable and says so") {
    auto error = failure_of(answer(502, "<html>Bad Gateway</html>", "text/html"));
    CHECK(error.cls() == ErrorClass::Retryable);
    CHECK(error.status() == 502);
    CHECK(std::string(error.what()) ==
          "acme.smartqweb.com answered HTTP 502 with an HTML page for GET /projects");
}

TEST_CASE("JsonResponse: statuses map to classes") {
    CHECK(failure_of(answer(503, "")).cls() == ErrorClass::Retryable);
    CHECK(failure_of(answer(400, "oops", "text/plain")).cls() == ErrorClass::Permanent);
    CHECK(std::string(failure_of(answer(400, "oops", "text/plain")).what())
              .find("a body that is not JSON") != std::string::npos);
    CHECK(failure_of(answer(401, R"({"error":{"code":401,"message":"x"},"data":null})")).cls() ==
          ErrorClass::AuthRefused);
    Response limited = answer(429, "");
    limited.head.retry_after = "7";
    auto error = failure_of(limited);
    CHECK(error.cls() == ErrorClass::RateLimited);
    CHECK(error.retry_after() == 7000ms);
}
