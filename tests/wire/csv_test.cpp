#include <doctest/doctest.h>

#include "sync/wire/csv.hpp"

using smartq::wire::csv_field;

TEST_CASE("a CSV field is quoted only when it holds a comma, a quote or a line break") {
    CHECK(csv_field("") == "");
    CHECK(csv_field("semi;colon\t'tab'") == "semi;colon\t'tab'");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_field("cr\r") == "\"cr\r\"");
    CHECK(csv_field("\"") == "\"\"\"\"");
}
