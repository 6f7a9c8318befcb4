// An in-process sandbox on a free port for the length of a test.
#pragma once

#include <memory>
#include <string>

#include "sandbox/server.hpp"
#include "support/http_client.hpp"

namespace smartq::test {

class SandboxFixture {
  public:
    explicit SandboxFixture(sandbox::ServerOptions options = {});
    ~SandboxFixture();

    std::uint16_t port() const { return server_->port(); }
    const sandbox::ServerOptions& options() const { return options_; }
    // The API key and the administrator's Basic credentials.
    Headers auth_headers() const;
    // GET/POST/... of /api/v1 + `path` with auth_headers() plus `extra`.
    HttpResponse api(std::string_view method, std::string_view path, std::string_view body = {},
                     const Headers& extra = {}) const;
    // /__admin/ + `path`, no credentials.
    HttpResponse admin(std::string_view method, std::string_view path,
                       std::string_view body = {}) const;

  private:
    sandbox::ServerOptions options_;
    std::unique_ptr<sandbox::Server> server_;
};

}  // namespace smartq::test
