#include <doctest/doctest.h>

#include <stdexcept>

#include "sync/http/url.hpp"

using smartq::http::parse_url;
using smartq::http::Url;

TEST_CASE("parse_url: https with default port and no path") {
    Url url = parse_url("https://acme.smartqweb.com");
    CHECK(url.tls());
    CHECK(url.host == "acme.smartqweb.com");
    CHECK(url.port == 443);
    CHECK(url.base_path == "");
    CHECK(url.api_root() == "/api/v1");
    CHECK(url.authority() == "acme.smartqweb.com");
}

TEST_CASE("parse_url: http with port and prefix, trailing slash dropped") {
    Url url = parse_url("http://127.0.0.1:8080/prefix/");
    CHECK_FALSE(url.tls());
    CHECK(url.host == "127.0.0.1");
    CHECK(url.port == 8080);
    CHECK(url.base_path == "/prefix");
    CHECK(url.api_root() == "/prefix/api/v1");
    CHECK(url.authority() == "127.0.0.1:8080");
    CHECK(parse_url("http://h").port == 80);
}

TEST_CASE("parse_url: IPv6 literal") {
    Url url = parse_url("https://[::1]:8443");
    CHECK(url.host == "::1");
    CHECK(url.port == 8443);
}

TEST_CASE("parse_url: refuses what it cannot use, naming the problem") {
    CHECK_THROWS_WITH_AS(parse_url("ftp://x"), doctest::Contains("https:// or http://"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_url("acme.smartqweb.com"), doctest::Contains("https://"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_url("https://"), doctest::Contains("no host"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_url("https://h:0"), doctest::Contains("port"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_url("https://h:70000"), doctest::Contains("port"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_url("https://h:12x"), doctest::Contains("port"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_url("https://h:"), doctest::Contains("port"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_url("https://u:secret@h"), doctest::Contains("credentials"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_url("https://h/p?q=1"), doctest::Contains("query"),
                         std::invalid_argument);
    CHECK_THROWS_WITH_AS(parse_url("https://[::1"), doctest::Contains("']'"),
                         std::invalid_argument);
}
