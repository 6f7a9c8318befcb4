// `serve`: the Site over HTTP/1.1 with Beast, read-only (GET and HEAD), on one
// executor. Each read and write has a deadline; with a password every request
// needs HTTP Basic authentication with it (any user name).
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "config/secret.hpp"
#include "view/site.hpp"

namespace smartq::view {

class WebServer {
  public:
    // Binds `listen` ("127.0.0.1:8080", "[::1]:8080", "0.0.0.0:8080"); throws
    // std::runtime_error naming the address when it cannot.
    WebServer(boost::asio::any_io_executor executor, const std::string& listen, const Site& site,
              std::optional<config::Secret> password);
    ~WebServer();
    WebServer(const WebServer&) = delete;
    WebServer& operator=(const WebServer&) = delete;

    std::uint16_t port() const;
    // Stops accepting; connections end at their next deadline or request.
    void stop();

  private:
    struct Impl;
    std::shared_ptr<Impl> impl_;
};

// True when `address` ("HOST:PORT") is a loopback address (127.0.0.0/8, ::1).
bool is_loopback(const std::string& address);

}  // namespace smartq::view
