// The sandbox's HTTP/1.1 server: /api/v1 (the smartQ API) and /__admin/ on one
// io_context thread. Usable in-process by tests and by smartq-sandbox's main().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "api.hpp"
#include "faults.hpp"

namespace smartq::sandbox {

struct ServerOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: any free port, see Server::port()
    std::uint64_t seed = 1;
    Size size = Size::Tiny;
    std::string login = "admin@sandbox.test";
    std::string password = "sandbox-password";
    std::string api_key = "sandbox-key";
    std::chrono::seconds token_ttl{3600};
    WireOptions wire;
    Faults faults;
};

class Server {
  public:
    // Seeds the account and binds the listening socket (throws std::runtime_error
    // with the address if it cannot); serves nothing until start().
    explicit Server(ServerOptions options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    std::uint16_t port() const;
    // How long seeding the account took.
    std::chrono::milliseconds seed_time() const;
    // Runs the io_context on its own thread.
    void start();
    // Closes the listener and every connection and joins the thread; idempotent.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace smartq::sandbox
