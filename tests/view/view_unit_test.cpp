// What keeps account texts inert and attachment names harmless, each alone.
#include <doctest/doctest.h>

#include "sync/wire/form.hpp"
#include "view/escape.hpp"
#include "view/safe_name.hpp"
#include "view/site.hpp"

using namespace smartq::view;
namespace wire = smartq::wire;

TEST_CASE("escape_html turns every character with a meaning in HTML into an entity") {
    CHECK(escape_html("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;");
    CHECK(escape_html("<img src=x onerror=\"a()\">") ==
          "&lt;img src=x onerror=&quot;a()&quot;&gt;");
    CHECK(escape_html("it's `x` & y") == "it&#39;s &#96;x&#96; &amp; y");
    CHECK(escape_html("&lt;") == "&amp;lt;");
    CHECK(escape_html("日本語 👍🏽") == "日本語 👍🏽");
    CHECK(escape_html("") == "");
}

TEST_CASE("a URI component keeps only unreserved characters and decodes back") {
    CHECK(wire::url_encode("a b/c?d#e%f") == "a%20b%2Fc%3Fd%23e%25f");
    CHECK(wire::url_encode("ü") == "%C3%BC");
    CHECK(wire::url_decode("a%20b+c%2F%zz%") == "a b c/%zz%");
    CHECK(wire::url_decode(wire::url_encode("2024-05-01 10:00:00")) ==
          "2024-05-01 10:00:00");
}

TEST_CASE("safe_file_name keeps a name inside its directory") {
    CHECK(safe_file_name("report.pdf") == "report.pdf");
    CHECK(safe_file_name("../../etc/passwd") == "_.._etc_passwd");
    CHECK(safe_file_name("..") == "file");
    CHECK(safe_file_name(".bashrc") == "bashrc");
    CHECK(safe_file_name("a\\b:c*d?e\"f<g>h|i") == "a_b_c_d_e_f_g_h_i");
    CHECK(safe_file_name(std::string("nul\0byte\n", 9)) == "nul_byte_");
    CHECK(safe_file_name("  ") == "file");
    CHECK(safe_file_name("") == "file");
    CHECK(safe_file_name("Übersicht – 2024.xlsx") == "Übersicht – 2024.xlsx");
    std::string long_name(300, 'x');
    auto cut = safe_file_name(long_name + ".tar.gz");
    CHECK(cut.size() == 200);
    CHECK(cut.ends_with(".gz"));
    std::string utf8_long;
    for (int i = 0; i < 150; ++i)
        utf8_long += "é";
    auto utf8_cut = safe_file_name(utf8_long);
    CHECK(utf8_cut.size() == 200);
    CHECK(utf8_cut.back() == '\xA9');
}

TEST_CASE("names in one directory never collide") {
    DirectoryNames names;
    CHECK(names.claim("a.txt") == "a.txt");
    CHECK(names.claim("a.txt") == "a-2.txt");
    CHECK(names.claim("a.txt") == "a-3.txt");
    CHECK(names.claim("a-2.txt") == "a-2-2.txt");
    CHECK(names.claim("../a.txt") == "_a.txt");
    CHECK(names.claim("README") == "README");
    CHECK(names.claim("README") == "README-2");
}

TEST_CASE("an attachment's headers cannot be broken by its name or type") {
    CHECK(content_disposition("report.pdf") ==
          "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
    CHECK(content_disposition("a\"b\r\nSet-Cookie: x.txt") ==
          "attachment; filename=\"a_b__Set-Cookie: x.txt\"; "
          "filename*=UTF-8''a%22b%0D%0ASet-Cookie%3A%20x.txt");
    CHECK(content_disposition("ü.txt").find("filename*=UTF-8''%C3%BC.txt") != std::string::npos);
    CHECK(safe_content_type("image/png") == "image/png");
    CHECK(safe_content_type("application/vnd.ms-excel") == "application/vnd.ms-excel");
    CHECK(safe_content_type("text/html\r\nX-Evil: 1") == "application/octet-stream");
    CHECK(safe_content_type("") == "application/octet-stream");
    CHECK(safe_content_type("text/plain; charset=utf-8") == "application/octet-stream");
}
