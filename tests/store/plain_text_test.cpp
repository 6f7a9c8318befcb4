#include <doctest/doctest.h>

#include "store/plain_text.hpp"

using smartq::store::plain_text;

TEST_CASE("plain_text drops tags and keeps the words between them") {
    CHECK(plain_text("<p>See <a href=\"https://example.com/spec?a=1&b=2\">the spec</a>.</p>") ==
          "See the spec.");
    CHECK(plain_text("<b>Bold</b> text") == "Bold text");
    CHECK(plain_text("Looks good to me.") == "Looks good to me.");
    CHECK(plain_text("").empty());
}

TEST_CASE("plain_text puts block elements and breaks on lines of their own") {
    CHECK(plain_text("<ul><li>first</li><li>second</li></ul>") == "first\nsecond");
    CHECK(plain_text("one<br>two<br/>three") == "one\ntwo\nthree");
    CHECK(plain_text("<p>a</p>\n\n<p>b</p>") == "a\nb");
}

TEST_CASE("plain_text collapses blank runs as a browser does") {
    CHECK(plain_text("Tab\tseparated\tvalues and trailing spaces   ") ==
          "Tab separated values and trailing spaces");
    CHECK(plain_text("  a \n  b  ") == "a b");
}

TEST_CASE("plain_text decodes entities and keeps what it does not know") {
    CHECK(plain_text("Fish &amp; chips &lt;3 &quot;q&quot; &#39;s&#x27;") ==
          "Fish & chips <3 \"q\" 's'");
    CHECK(plain_text("&#252;ber &#x1F680; &mdash;") == "\u00fcber \U0001F680 \u2014");
    CHECK(plain_text("&bogus; & alone &#xZZ;") == "&bogus; & alone &#xZZ;");
    CHECK(plain_text("&#0;") == "\uFFFD");
}

TEST_CASE("plain_text leaves out script and style, whose content is no text") {
    CHECK(plain_text("<script>alert('not executed')</script>").empty());
    CHECK(plain_text("a<SCRIPT type=x>if (a < b) x();</Script>b") == "ab");
    CHECK(plain_text("<style>p{}</style>kept") == "kept");
    CHECK(plain_text("<script>never closed").empty());
}

TEST_CASE("plain_text keeps a '<' that opens no tag, and attributes with '>' in quotes") {
    CHECK(plain_text("a < b and c<d") == "a < b and c<d");
    CHECK(plain_text("<a title=\"x > y\">link</a>") == "link");
    CHECK(plain_text("<!-- a <b>comment</b> -->after") == "after");
    CHECK(plain_text("unclosed <b") == "unclosed <b");
}

TEST_CASE("plain_text passes non-ASCII text through") {
    CHECK(plain_text("日本語のメモ：確認しました。") == "日本語のメモ：確認しました。");
    CHECK(plain_text("Cafe\u0301 <i>menu</i>") == "Cafe\u0301 menu");
}
