#include <doctest/doctest.h>

#include <stdexcept>

#include "sync/http/multipart.hpp"

using smartq::http::make_boundary;
using smartq::http::multipart_file;

TEST_CASE("multipart_file: one part named file with the exact framing") {
    auto body = multipart_file("file", "notes.txt", "text/plain", "hello\r\nworld", "BOUND");
    CHECK(body.content_type == "multipart/form-data; boundary=BOUND");
    CHECK(body.body ==
          "--BOUND\r\n"
          "Content-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n"
          "Content-Type: text/plain\r\n\r\n"
          "hello\r\nworld\r\n"
          "--BOUND--\r\n");
}

TEST_CASE("multipart_file: hostile file names cannot break the framing") {
    auto body = multipart_file("file", "a\"b\\c\r\nX-Injected: 1.txt", "", "x", "B");
    CHECK(body.body.find("filename=\"a\\\"b\\\\cX-Injected: 1.txt\"\r\n") != std::string::npos);
    CHECK(body.body.find("\r\nX-Injected") == std::string::npos);
    CHECK(body.body.find("Content-Type: application/octet-stream") != std::string::npos);
}

TEST_CASE("multipart_file: refuses a boundary inside the content and header injection") {
    CHECK_THROWS_AS(multipart_file("file", "f", "text/plain", "xxBOUNDxx", "BOUND"),
                    std::invalid_argument);
    CHECK_THROWS_AS(multipart_file("file", "f", "text/plain\r\nX: y", "x", "B"),
                    std::invalid_argument);
}

TEST_CASE("make_boundary: random and long") {
    auto a = make_boundary();
    auto b = make_boundary();
    CHECK(a != b);
    CHECK(a.size() >= 32);
}
