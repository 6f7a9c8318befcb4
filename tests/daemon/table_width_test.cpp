// Tables line up on a terminal: widths are columns, not bytes or code points.
#include <doctest/doctest.h>

#include <sstream>

#include "daemon/table_output.hpp"

using smartq::daemon::display_width;

TEST_CASE("display_width counts terminal columns") {
    CHECK(display_width("") == 0);
    CHECK(display_width("abc") == 3);
    CHECK(display_width("\xc3\xa9t\xc3\xa9") == 3);         // "été", precomposed
    CHECK(display_width("e\xcc\x81") == 1);                 // e + combining acute
    CHECK(display_width("\xe6\x97\xa5\xe6\x9c\xac") == 4);  // 日本
    CHECK(display_width("\xf0\x9f\x98\x80!") == 3);         // 😀!
    CHECK(display_width("a\xff"
                        "b") == 3);         // an invalid byte
    CHECK(display_width("\xe6\x97") == 1);  // a truncated sequence
}

TEST_CASE("a table with wide characters lines up, with no trailing blanks") {
    smartq::store::QueryResult result;
    result.columns = {"name", "n"};
    result.rows = {{std::string("\xe6\x97\xa5\xe6\x9c\xac"), std::int64_t{1}},
                   {std::string("abcde"), std::int64_t{2}},
                   {std::string("x"), std::string("")}};
    std::ostringstream out;
    smartq::daemon::print_result(out, result, smartq::daemon::OutputFormat::Table);
    CHECK(out.str() ==
          "name  | n\n"
          "------+--\n"
          "\xe6\x97\xa5\xe6\x9c\xac  | 1\n"
          "abcde | 2\n"
          "x     |\n"
          "(3 rows)\n");
}
