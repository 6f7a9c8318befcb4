#include <doctest/doctest.h>

#include "sandbox/multipart.hpp"

using namespace smartq::sandbox;

namespace {

std::string part(std::string_view headers, std::string_view body) {
    return "--XyZ\r\n" + std::string(headers) + "\r\n\r\n" + std::string(body) + "\r\n";
}

}  // namespace

TEST_CASE("multipart boundary comes from the content type, quoted or not") {
    CHECK(multipart_boundary("multipart/form-data; boundary=XyZ") == "XyZ");
    CHECK(multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\"") == "a b;c");
    CHECK_THROWS_AS(multipart_boundary("application/x-www-form-urlencoded"), MultipartError);
    CHECK_THROWS_AS(multipart_boundary("multipart/form-data"), MultipartError);
    CHECK_THROWS_AS(multipart_boundary("multipart/form-data; boundary="), MultipartError);
    CHECK_THROWS_AS(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'a')),
                    MultipartError);
    CHECK_THROWS_AS(multipart_boundary("multipart/form-data; boundary=\"open"), MultipartError);
}

TEST_CASE("multipart parts keep names, file names, types and bodies byte for byte") {
    const std::string binary("\0\r\n--XyZ-not-a-boundary\r\n\xff", 27);
    const auto body =
        part("Content-Disposition: form-data; name=\"note\"", "hello") +
        part(
            "Content-Disposition: form-data; name=\"file\"; filename=\"a \\\"b\\\".bin\"\r\n"
            "Content-Type: application/octet-stream",
            binary) +
        "--XyZ--\r\n";
    auto parts = parse_multipart(body, "XyZ");
    REQUIRE(parts.size() == 2);
    CHECK(parts[0].name == "note");
    CHECK_FALSE(parts[0].filename.has_value());
    CHECK(parts[0].body == "hello");
    CHECK(parts[1].name == "file");
    CHECK(parts[1].filename == "a \"b\".bin");
    CHECK(parts[1].content_type == "application/octet-stream");
    CHECK(parts[1].body == binary);
}

TEST_CASE("multipart accepts a preamble, an empty body and header case variations") {
    const auto body = "preamble\r\n" +
                      part("content-disposition: form-data; NAME=file; filename=\"\"", "") +
                      "--XyZ--";
    auto parts = parse_multipart(body, "XyZ");
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].name == "file");
    CHECK(parts[0].filename == "");
    CHECK(parts[0].body.empty());
}

TEST_CASE("multipart filename* (RFC 5987) wins and keeps '+' and Unicode") {
    const auto body = part(
                          "Content-Disposition: form-data; name=\"file\"; filename=\"plain.txt\"; "
                          "filename*=UTF-8''%C3%A9t%C3%A9+1%2F..%2Fx.txt",
                          "x") +
                      "--XyZ--\r\n";
    auto parts = parse_multipart(body, "XyZ");
    REQUIRE(parts.size() == 1);
    CHECK(parts[0].filename == "\xC3\xA9t\xC3\xA9+1/../x.txt");
}

TEST_CASE("multipart hostile file names come through unchanged") {
    for (const std::string& name :
         std::vector<std::string>{"../../etc/passwd", "a\\b/c", "CON", std::string(300, 'n')}) {
        const auto body =
            part("Content-Disposition: form-data; name=\"file\"; filename=\"" + name + "\"", "x") +
            "--XyZ--\r\n";
        auto parts = parse_multipart(body, "XyZ");
        REQUIRE(parts.size() == 1);
        CHECK(parts[0].filename == (name == "a\\b/c" ? std::string("ab/c") : name));
    }
}

TEST_CASE("multipart rejects every kind of broken body") {
    const auto disposition = "Content-Disposition: form-data; name=\"file\"";
    CHECK_THROWS_AS(parse_multipart("", "XyZ"), MultipartError);
    CHECK_THROWS_AS(parse_multipart("no boundary at all", "XyZ"), MultipartError);
    // no closing delimiter
    CHECK_THROWS_AS(parse_multipart("--XyZ\r\n" + std::string(disposition) + "\r\n\r\nbody", "XyZ"),
                    MultipartError);
    // boundary text that is no delimiter line is preamble, or content
    CHECK(
        parse_multipart("--XyZjunk\r\n" + std::string(disposition) + "\r\n\r\nx\r\n--XyZ--", "XyZ")
            .empty());
    CHECK_THROWS_AS(
        parse_multipart("--XyZjunk\r\n" + std::string(disposition) + "\r\n\r\nx", "XyZ"),
        MultipartError);
    // no header block
    CHECK_THROWS_AS(parse_multipart("--XyZ\r\nbody only\r\n--XyZ--", "XyZ"), MultipartError);
    // no Content-Disposition
    CHECK_THROWS_AS(parse_multipart(part("Content-Type: text/plain", "x") + "--XyZ--", "XyZ"),
                    MultipartError);
    // not form-data
    CHECK_THROWS_AS(
        parse_multipart(part("Content-Disposition: attachment; name=\"file\"", "x") + "--XyZ--",
                        "XyZ"),
        MultipartError);
    // no name
    CHECK_THROWS_AS(
        parse_multipart(part("Content-Disposition: form-data; filename=\"a\"", "x") + "--XyZ--",
                        "XyZ"),
        MultipartError);
    // malformed header line and unterminated quote
    CHECK_THROWS_AS(parse_multipart(part("garbage", "x") + "--XyZ--", "XyZ"), MultipartError);
    CHECK_THROWS_AS(
        parse_multipart(part("Content-Disposition: form-data; name=\"file", "x") + "--XyZ--",
                        "XyZ"),
        MultipartError);
    // filename* in a charset we do not accept
    CHECK_THROWS_AS(parse_multipart(part("Content-Disposition: form-data; name=\"file\"; "
                                         "filename*=ISO-8859-1''%E9",
                                         "x") +
                                        "--XyZ--",
                                    "XyZ"),
                    MultipartError);
}
