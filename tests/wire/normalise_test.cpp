#include <doctest/doctest.h>

#include "sync/wire/normalise.hpp"

using namespace smartq::wire;
namespace dom = simdjson::dom;

namespace {
struct Parsed {
    dom::parser parser;
    dom::element root;
    explicit Parsed(std::string_view json) {
        root = parser.parse(json.data(), json.size()).value();
    }
};

std::vector<std::int64_t> ids(dom::element data) {
    std::vector<std::int64_t> out;
    for (auto item : list_items(data))
        out.push_back(as_id(item["id"].value()).value());
    return out;
}
}  // namespace

TEST_CASE("list_items accepts an array, a keyed object and a wrapper") {
    Parsed array(R"([{"id":1},{"id":"2"}])");
    Parsed keyed(R"({"7":{"id":"7"},"9":{"id":9}})");
    Parsed wrapper(R"({"tickets":[{"id":3}]})");
    Parsed wrapped_keyed(R"({"tickets":{"4":{"id":4}}})");
    CHECK(ids(array.root) == std::vector<std::int64_t>{1, 2});
    CHECK(ids(keyed.root) == std::vector<std::int64_t>{7, 9});
    CHECK(ids(wrapper.root) == std::vector<std::int64_t>{3});
    CHECK(ids(wrapped_keyed.root) == std::vector<std::int64_t>{4});
}

TEST_CASE("list_items: null, [] and {} are empty lists, scalars and records are errors") {
    Parsed null_data("null"), empty_array("[]"), empty_object("{}");
    CHECK(list_items(null_data.root).empty());
    CHECK(list_items(empty_array.root).empty());
    CHECK(list_items(empty_object.root).empty());
    Parsed scalar(R"("oops")"), record(R"({"id":1,"name":"x"})");
    CHECK_THROWS_AS(list_items(scalar.root), WireError);
    CHECK_THROWS_AS(list_items(record.root), WireError);
}

TEST_CASE("as_id, as_bool, as_number and as_text accept every variation") {
    Parsed p(R"({"a":510,"b":"510","c":"x","d":null,"e":"","t1":true,"t2":1,"t3":"1","t4":"true",
                 "f1":false,"f2":0,"f3":"0","f4":"false","n1":1.5,"n2":"2.5","n3":"2.5x"})");
    auto get = [&](const char* k) { return p.root[k].value(); };
    CHECK(as_id(get("a")) == 510);
    CHECK(as_id(get("b")) == 510);
    CHECK_FALSE(as_id(get("c")));
    CHECK_FALSE(as_id(get("d")));
    CHECK_FALSE(as_id(get("e")));
    for (auto k : {"t1", "t2", "t3", "t4"})
        CHECK(as_bool(get(k)) == true);
    for (auto k : {"f1", "f2", "f3", "f4"})
        CHECK(as_bool(get(k)) == false);
    CHECK_FALSE(as_bool(get("c")));
    CHECK(as_number(get("n1")) == 1.5);
    CHECK(as_number(get("n2")) == 2.5);
    CHECK_FALSE(as_number(get("n3")));
    CHECK(as_text(get("a")) == "510");
    CHECK_FALSE(as_text(get("d")));
    CHECK(field(p.root, "a").has_value());
    CHECK_FALSE(field(p.root, "zz").has_value());
}

TEST_CASE("to_json keeps the content of an object") {
    Parsed p(R"({ "name" : "日本", "x" : [1, 2] , "h":"<b>" })");
    CHECK(to_json(p.root) == R"({"name":"日本","x":[1,2],"h":"<b>"})");
}
