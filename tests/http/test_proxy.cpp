#include <utility>

#include <doctest/doctest.h>

#include <filesystem>

#include "client_fixture.hpp"
#include "connect_proxy.hpp"
#include "sync/http/proxy.hpp"
#include "tls_identity.hpp"

namespace asio = boost::asio;
using namespace smartq::http;
using namespace smartq::http::testing;

namespace {

Proxy proxy_at(const ConnectProxy& proxy) {
    Proxy out;
    out.host = "127.0.0.1";
    out.port = proxy.port();
    return out;
}

ClientOptions through(const Proxy& proxy) {
    auto options = fast_options();
    options.proxy = proxy;
    return options;
}

std::string port_of(const FakeServer& server) {
    return std::to_string(server.port());
}

}  // namespace

TEST_CASE("no_proxy: names match themselves and their subdomains, ignoring case and a dot") {
    CHECK(no_proxy_matches("example.com", "example.com", 443));
    CHECK(no_proxy_matches("example.com", "API.Example.COM", 443));
    CHECK(no_proxy_matches(".example.com", "example.com", 443));
    CHECK(no_proxy_matches(".example.com", "a.b.example.com", 443));
    CHECK(no_proxy_matches("Example.com", "example.com.", 443));
    CHECK_FALSE(no_proxy_matches("example.com", "badexample.com", 443));
    CHECK_FALSE(no_proxy_matches("www.example.com", "example.com", 443));
    CHECK_FALSE(no_proxy_matches("", "example.com", 443));
    CHECK_FALSE(no_proxy_matches(".", "example.com", 443));
}

TEST_CASE("no_proxy: lists, the wildcard and ports") {
    CHECK(no_proxy_matches("localhost, intranet.test ,example.com", "example.com", 443));
    CHECK(no_proxy_matches("localhost\texample.com", "www.example.com", 443));
    CHECK(no_proxy_matches("*", "anything.at.all", 1));
    CHECK_FALSE(no_proxy_matches("*.example.com", "www.example.com", 443));
    CHECK(no_proxy_matches("example.com:8443", "example.com", 8443));
    CHECK_FALSE(no_proxy_matches("example.com:8443", "example.com", 443));
    CHECK_FALSE(no_proxy_matches("example.com:http", "example.com", 80));
}

TEST_CASE("no_proxy: IP literals match equal addresses and CIDR blocks, never names") {
    CHECK(no_proxy_matches("127.0.0.1", "127.0.0.1", 80));
    CHECK_FALSE(no_proxy_matches("127.0.0.1", "127.0.0.2", 80));
    CHECK(no_proxy_matches("10.0.0.0/8", "10.20.30.40", 80));
    CHECK_FALSE(no_proxy_matches("10.0.0.0/8", "11.0.0.1", 80));
    CHECK(no_proxy_matches("192.168.1.0/23", "192.168.0.9", 80));
    CHECK_FALSE(no_proxy_matches("10.0.0.0/33", "10.0.0.1", 80));
    CHECK(no_proxy_matches("::1", "::1", 80));
    CHECK(no_proxy_matches("[::1]:8080", "::1", 8080));
    CHECK_FALSE(no_proxy_matches("[::1]:8080", "::1", 80));
    CHECK(no_proxy_matches("fd00::/8", "fd12::5", 80));
    CHECK_FALSE(no_proxy_matches("10.0.0.0/8", "::ffff:10.0.0.1", 80));
    CHECK_FALSE(no_proxy_matches("127.0.0.1", "localhost", 80));
    CHECK_FALSE(no_proxy_matches("localhost", "127.0.0.1", 80));
}

TEST_CASE("proxy: requests go through one CONNECT tunnel, which is kept alive") {
    FakeServer server;
    server.script({Reply::data(R"({"id":"1"})"), Reply::data(R"({"id":"2"})")});
    ConnectProxy proxy;
    asio::io_context io;
    auto client = make_client(io, server.url(), through(proxy_at(proxy)));
    run(io, client->get("/projects"));
    run(io, client->get("/projects"));
    CHECK(server.requests().size() == 3);  // the token and two GETs
    CHECK(server.connections() == 1);
    CHECK(proxy.tunnels() == 1);
    CHECK(proxy.targets() == std::vector<std::string>{"127.0.0.1:" + port_of(server)});
    CHECK(proxy.authorizations() == std::vector<std::string>{""});
}

TEST_CASE("proxy: a host its no_proxy names is reached directly") {
    FakeServer server;
    server.script({Reply::data(R"({"id":"1"})")});
    ConnectProxy proxy;
    auto bypassing = proxy_at(proxy);
    bypassing.no_proxy = "example.com,127.0.0.0/8";
    asio::io_context io;
    auto client = make_client(io, server.url(), through(bypassing));
    run(io, client->get("/projects"));
    CHECK(server.requests().size() == 2);
    CHECK(proxy.targets().empty());
}

TEST_CASE("proxy: Basic credentials from the proxy's URL, and a 407 when they are wrong") {
    FakeServer server;
    server.script({Reply::data(R"({"id":"1"})")});
    ConnectProxy proxy({.required_authorization = "Basic dXNlcjpwYSBzcw=="});
    auto credentials = proxy_at(proxy);
    credentials.user = "user";
    credentials.password = "pa ss";
    asio::io_context io;
    run(io, make_client(io, server.url(), through(credentials))->get("/projects"));
    CHECK(proxy.tunnels() == 1);

    credentials.password = "wrong-secret";
    auto refused = make_client(io, server.url(), through(credentials));
    auto error = http_error_of([&] { run(io, refused->get("/projects")); });
    CHECK(error.cls() == ErrorClass::Unreachable);
    CHECK(std::string(error.what()) ==
          "the proxy 127.0.0.1:" + std::to_string(proxy.port()) + " did not open a tunnel to " +
              "127.0.0.1:" + port_of(server) +
              ": it answered 407 Proxy Authentication Required (check the user and password of "
              "the proxy's URL)");
    CHECK(proxy.tunnels() == 1);
}

TEST_CASE("proxy: a 403 is Unreachable, a 502 Retryable, both after the retries") {
    FakeServer server;
    asio::io_context io;
    {
        ConnectProxy forbidding({.refuse_with = 403});
        auto client = make_client(io, server.url(), through(proxy_at(forbidding)));
        auto error = http_error_of([&] { run(io, client->get("/projects")); });
        CHECK(error.cls() == ErrorClass::Unreachable);
        CHECK(std::string(error.what()).find("it answered 403 Forbidden") != std::string::npos);
        CHECK(forbidding.targets().size() == 4);
    }
    {
        ConnectProxy failing({.refuse_with = 502});
        auto client = make_client(io, server.url(), through(proxy_at(failing)));
        auto error = http_error_of([&] { run(io, client->get("/projects")); });
        CHECK(error.cls() == ErrorClass::Retryable);
        CHECK(std::string(error.what()).ends_with("it answered 502 Bad Gateway"));
        CHECK(failing.targets().size() == 4);
    }
    CHECK(server.requests().empty());
}

TEST_CASE("proxy: connect_timeout covers a proxy that never answers the CONNECT") {
    FakeServer server;
    ConnectProxy silent({.silent = true});
    auto options = through(proxy_at(silent));
    options.connect_timeout = std::chrono::milliseconds(100);
    options.retry.max_attempts = 1;
    asio::io_context io;
    auto client = make_client(io, server.url(), options);
    auto error = http_error_of([&] { run(io, client->get("/projects")); });
    CHECK(error.cls() == ErrorClass::Unreachable);
    CHECK(std::string(error.what()) ==
          "could not connect to 127.0.0.1:" + port_of(server) + " through the proxy 127.0.0.1:" +
              std::to_string(silent.port()) + ": it did not answer in time");
    CHECK(server.requests().empty());
}

TEST_CASE("proxy: TLS runs end to end through the tunnel, checked against the server's name") {
    TestPki pki = make_test_pki("localhost");
    auto ca_file = write_temp_file("smartq-proxy-ca", pki.ca_pem);
    FakeServer server{pki.server};
    server.script({Reply::data(R"({"id":"1"})")});
    ConnectProxy proxy;
    auto options = through(proxy_at(proxy));
    options.ca_file = ca_file;
    asio::io_context io;
    auto client = make_client(io, "https://localhost:" + port_of(server), options);
    run(io, client->get("/projects"));
    CHECK(server.requests().size() == 2);
    CHECK(proxy.targets() == std::vector<std::string>{"localhost:" + port_of(server)});

    // The certificate names localhost, so the address is refused even through the tunnel.
    auto by_address = make_client(io, "https://127.0.0.1:" + port_of(server), options);
    auto error = http_error_of([&] { run(io, by_address->get("/projects")); });
    CHECK(error.cls() == ErrorClass::TlsRefused);
    CHECK(proxy.targets().back() == "127.0.0.1:" + port_of(server));
    std::filesystem::remove(ca_file);
}
