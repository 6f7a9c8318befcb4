// repair_utf8: each ill-formed sequence becomes one U+FFFD, valid text is left alone.
#include <doctest/doctest.h>

#include "sync/wire/utf8.hpp"

using smartq::wire::repair_utf8;

namespace {

std::pair<std::string, std::size_t> repaired(std::string text) {
    auto n = repair_utf8(text);
    return {text, n};
}

const std::string R = "\xEF\xBF\xBD";

}  // namespace

TEST_CASE("utf8: valid text, multi-byte characters included, is unchanged") {
    for (std::string text :
         {"", "plain", "V\xC3\xA9rifier \xE2\x9C\x93", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF"}) {
        CAPTURE(text);
        CHECK(repaired(text) == std::pair{text, std::size_t{0}});
    }
}

TEST_CASE("utf8: a stray byte is one replacement and its neighbours stay") {
    CHECK(repaired("caf\xE9 au lait") == std::pair{"caf" + R + " au lait", std::size_t{1}});
    CHECK(repaired("\xFF\xFE") == std::pair{R + R, std::size_t{2}});
    CHECK(repaired("a\x80z") == std::pair{"a" + R + "z", std::size_t{1}});
}

TEST_CASE("utf8: a truncated sequence is one replacement (its maximal subpart)") {
    CHECK(repaired("\xE2\x9C") == std::pair{R, std::size_t{1}});
    CHECK(repaired("\xE2\x9Cx") == std::pair{R + "x", std::size_t{1}});
    CHECK(repaired("\xF0\x9F\x98") == std::pair{R, std::size_t{1}});
}

TEST_CASE("utf8: overlongs, surrogates and code points past U+10FFFF are replaced") {
    CHECK(repaired("\xC0\xAF").second == 2);          // overlong '/': two stray bytes
    CHECK(repaired("\xE0\x80\xAF").second == 3);      // overlong: E0 needs A0..BF next
    CHECK(repaired("\xED\xA0\x80").second == 3);      // a UTF-16 surrogate
    CHECK(repaired("\xF4\x90\x80\x80").second == 4);  // U+110000
    CHECK(repaired("\xED\x9F\xBF").second == 0);      // U+D7FF, just below the surrogates
}
