#include <doctest/doctest.h>

#include <stdexcept>

#include "config/values.hpp"

using namespace smartq::config;

TEST_CASE("normalise_url keeps http and https sites and drops trailing slashes") {
    CHECK(normalise_url("https://acme.smartqweb.com") == "https://acme.smartqweb.com");
    CHECK(normalise_url("https://acme.smartqweb.com//") == "https://acme.smartqweb.com");
    CHECK(normalise_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080");
    CHECK(normalise_url("http://[::1]:8080") == "http://[::1]:8080");
    CHECK(normalise_url("https://host/smartq/") == "https://host/smartq");
}

TEST_CASE("normalise_url refuses bad URLs without repeating them") {
    for (const char* bad :
         {"", "acme.smartqweb.com", "ftp://acme", "https://", "https:///path", "https://a b",
          "https://user:hunter2@acme", "https://acme?x=1", "https://acme#top",
          "http://acme:", "http://acme:0", "http://acme:65536", "http://acme:80x", "http://[::1",
          "http://[]:80", "https://acme/api/v1", "https://acme/api/v1/", "HTTPS://acme"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(normalise_url(bad), std::invalid_argument);
    }
    CHECK_THROWS_WITH(normalise_url("https://user:hunter2@acme"), doctest::Contains("credentials"));
    try {
        normalise_url("https://user:hunter2@acme");
    } catch (const std::invalid_argument& e) {
        CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
    }
}

TEST_CASE("account names are directory-safe") {
    CHECK_NOTHROW(check_account_name("acme"));
    CHECK_NOTHROW(check_account_name("Acme_2.prod-eu"));
    for (const char* bad : {"", ".", "..", "a b", "a/b", "ä", "a:b"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(check_account_name(bad), std::invalid_argument);
    }
}

TEST_CASE("log levels are spdlog's names") {
    for (const char* level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
        CHECK_NOTHROW(check_log_level(level));
    }
    CHECK_THROWS_WITH(check_log_level("verbose"),
                      doctest::Contains("'verbose' is not a log level"));
    CHECK_THROWS_AS(check_log_level("INFO"), std::invalid_argument);
}

TEST_CASE("listen addresses are HOST:PORT") {
    CHECK_NOTHROW(check_listen_address("127.0.0.1:9464"));
    CHECK_NOTHROW(check_listen_address("[::1]:9464"));
    CHECK_NOTHROW(check_listen_address("localhost:1"));
    for (const char* bad : {"", "9464", ":9464", "127.0.0.1:", "127.0.0.1:0", "host:70000",
                            "::1:9464", "[::1]", "[::1]9464"}) {
        CAPTURE(bad);
        CHECK_THROWS_AS(check_listen_address(bad), std::invalid_argument);
    }
}
