#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// A small HTTP CONNECT proxy on 127.0.0.1 for the tests, on a thread of its own:
// it opens tunnels (and counts them), can ask for Proxy-Authorization, refuse
// every tunnel with a status of its choice, or take a CONNECT and never answer.
namespace smartq::http::testing {

struct ProxyOptions {
    // When set, a CONNECT without exactly this Proxy-Authorization value gets 407.
    std::optional<std::string> required_authorization;
    unsigned refuse_with = 0;  // when not 0, every CONNECT is answered with this status
    bool silent = false;       // read each CONNECT and never answer it
    // Host names only the proxy knows: "sandbox.test" -> "127.0.0.1".
    std::map<std::string, std::string> hosts;
};

struct ProxyState;

class ConnectProxy {
  public:
    explicit ConnectProxy(ProxyOptions options = {});
    ~ConnectProxy();
    ConnectProxy(const ConnectProxy&) = delete;
    ConnectProxy& operator=(const ConnectProxy&) = delete;

    std::uint16_t port() const;
    std::string url() const;  // http://127.0.0.1:PORT

    int tunnels() const;                              // CONNECTs answered 200
    std::vector<std::string> targets() const;         // every CONNECT's host:port, in order
    std::vector<std::string> authorizations() const;  // their Proxy-Authorization ("" if none)

  private:
    std::unique_ptr<ProxyState> state_;
};

}  // namespace smartq::http::testing
