#include <doctest/doctest.h>

#include <simdjson.h>
#include <cmath>

#include "sync/wire/json_writer.hpp"

using namespace smartq::wire;

TEST_CASE("JsonWriter places commas and colons, nests, and escapes") {
    std::string out;
    JsonWriter w(out);
    w.begin_object().key("id").value(std::int64_t{5}).key("name").value("a\"b\\c\n\x01");
    w.key("tags").begin_array().value("x").value(true).null().value(1.5).end_array();
    w.key("empty").begin_object().end_object().key("raw").raw(R"({"k":[1]})").end_object();
    CHECK(
        out ==
        R"({"id":5,"name":"a\"b\\c\n\u0001","tags":["x",true,null,1.5],"empty":{},"raw":{"k":[1]}})");
    simdjson::dom::parser parser;
    CHECK(parser.parse(out).error() == simdjson::SUCCESS);
}

TEST_CASE("JsonWriter writes no NaN or infinity, which JSON cannot carry") {
    std::string out;
    JsonWriter(out).begin_array().value(std::nan("")).value(INFINITY).end_array();
    CHECK(out == "[null,null]");
}

TEST_CASE("append_json_string round-trips Unicode through a JSON parser") {
    std::string text = "日本語 🎉 שלום e\u0301 <b>x</b>";
    std::string out;
    append_json_string(out, text);
    simdjson::dom::parser parser;
    auto parsed = parser.parse(out);
    REQUIRE(parsed.error() == simdjson::SUCCESS);
    CHECK(std::string(parsed.value().get_string().value()) == text);
}
