#include <utility>

#include <doctest/doctest.h>

#include <filesystem>

#include "client_fixture.hpp"
#include "tls_identity.hpp"

namespace asio = boost::asio;
using namespace smartq::http;
using namespace smartq::http::testing;

namespace {

struct TlsSetup {
    TestPki pki = make_test_pki("localhost");
    std::filesystem::path ca_file = write_temp_file("smartq-http-ca", pki.ca_pem);
    FakeServer server{pki.server};

    ~TlsSetup() { std::filesystem::remove(ca_file); }
    std::string url(const std::string& host) const {
        return "https://" + host + ":" + std::to_string(server.port());
    }
};

}  // namespace

TEST_CASE("tls: a server signed by ca_file is trusted") {
    TlsSetup tls;
    tls.server.script({Reply::data(R"({"id":"1"})"), Reply::data(R"({"id":"2"})")});
    asio::io_context io;
    auto options = fast_options();
    options.ca_file = tls.ca_file;
    auto client = make_client(io, tls.url("localhost"), options);
    run(io, client->get("/projects"));
    run(io, client->get("/projects"));
    CHECK(tls.server.requests().size() == 3);
    CHECK(tls.server.connections() == 1);
}

TEST_CASE("tls: without ca_file a private CA is refused with a clear sentence") {
    TlsSetup tls;
    asio::io_context io;
    auto client = make_client(io, tls.url("localhost"));
    auto error = http_error_of([&] { run(io, client->get("/projects")); });
    CHECK(error.cls() == ErrorClass::TlsRefused);
    CHECK(std::string(error.what())
              .starts_with("the TLS certificate of localhost:" + std::to_string(tls.server.port()) +
                           " was not accepted"));
    CHECK(std::string(error.what()).find("ca_file") != std::string::npos);
    CHECK(tls.server.requests().empty());
}

TEST_CASE("tls: a certificate for another name is refused") {
    TlsSetup tls;
    asio::io_context io;
    auto options = fast_options();
    options.ca_file = tls.ca_file;
    auto client = make_client(io, tls.url("127.0.0.1"), options);
    auto error = http_error_of([&] { run(io, client->get("/projects")); });
    CHECK(error.cls() == ErrorClass::TlsRefused);
    CHECK(std::string(error.what()).find("mismatch") != std::string::npos);
    CHECK(tls.server.requests().empty());
}

TEST_CASE("tls: an unreadable ca_file is refused at construction") {
    asio::io_context io;
    auto options = fast_options();
    options.ca_file = "/nonexistent/ca.pem";
    CHECK_THROWS_WITH_AS(make_client(io, "https://localhost:1", options),
                         doctest::Contains("could not load the CA file /nonexistent/ca.pem"),
                         std::runtime_error);
}
