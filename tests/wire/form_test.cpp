#include <doctest/doctest.h>

#include "sync/wire/form.hpp"

using namespace smartq::wire;

TEST_CASE("url_encode keeps unreserved characters and escapes the rest") {
    CHECK(url_encode("aZ09-._~") == "aZ09-._~");
    CHECK(url_encode("a b&c=d/é") == "a%20b%26c%3Dd%2F%C3%A9");
    CHECK(url_encode("ticket[name]") == "ticket%5Bname%5D");
}

TEST_CASE("url_decode undoes url_encode and accepts '+' and malformed escapes") {
    std::string hostile = "../../etc/passwd \\ CON 日本語 %zz \x01";
    CHECK(url_decode(url_encode(hostile)) == hostile);
    CHECK(url_decode("a+b%20c") == "a b c");
    CHECK(url_decode("100%") == "100%");
    CHECK(url_decode("%4") == "%4");
    CHECK(url_decode("%zz") == "%zz");
}

TEST_CASE("parse_form splits pairs in order, decodes, tolerates empty parts") {
    auto fields = parse_form("ticket%5Bname%5D=Fix+it&&flag&x=");
    REQUIRE(fields.size() == 3);
    CHECK(fields[0] == std::pair<std::string, std::string>{"ticket[name]", "Fix it"});
    CHECK(fields[1] == std::pair<std::string, std::string>{"flag", ""});
    CHECK(fields[2] == std::pair<std::string, std::string>{"x", ""});
    CHECK(parse_form("").empty());
}

TEST_CASE("bracket_path splits PHP bracket keys") {
    CHECK(bracket_path("task") == std::vector<std::string>{"task"});
    CHECK(bracket_path("ticket[assigned_to][0]") ==
          std::vector<std::string>{"ticket", "assigned_to", "0"});
    CHECK(bracket_path("field[options][min]") ==
          std::vector<std::string>{"field", "options", "min"});
    CHECK(bracket_path("a[]") == std::vector<std::string>{"a", ""});
    CHECK(bracket_path("a[b") == std::vector<std::string>{"a[b"});
}

TEST_CASE("FormBuilder writes http_build_query bracket notation") {
    FormBuilder form;
    form.add({"ticket", "name"}, "New & improved").add_list({"ticket", "assigned_to"}, {"1", "2"});
    form.add({"ticket", "f5", "0"}, "1234");
    CHECK(form.str() ==
          "ticket%5Bname%5D=New%20%26%20improved&ticket%5Bassigned_to%5D%5B0%5D=1&"
          "ticket%5Bassigned_to%5D%5B1%5D=2&ticket%5Bf5%5D%5B0%5D=1234");
    auto back = parse_form(form.str());
    REQUIRE(back.size() == 4);
    CHECK(back[1].first == "ticket[assigned_to][0]");
    CHECK(back[0].second == "New & improved");
}
