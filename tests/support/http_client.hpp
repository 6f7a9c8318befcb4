// A tiny blocking HTTP/1.1 client for tests. It reports what went over the
// wire, including answers that were cut short or never came, instead of
// hiding them behind retries.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace smartq::test {

using Headers = std::vector<std::pair<std::string, std::string>>;

bool iequals(std::string_view a, std::string_view b);

struct CaseInsensitiveLess {
    bool operator()(const std::string& a, const std::string& b) const;
};

struct HttpResponse {
    unsigned status = 0;  // 0: no status line arrived
    std::map<std::string, std::string, CaseInsensitiveLess> headers;
    std::string body;
    // Empty when the whole answer arrived; otherwise what went wrong, e.g.
    // "connection closed after 10 of 100 body bytes".
    std::string error;
    bool complete() const { return error.empty(); }
    std::optional<std::string> header(const std::string& name) const;
};

// One keep-alive connection to 127.0.0.1:port. Connects in the constructor and
// throws std::runtime_error if it cannot.
class HttpConnection {
  public:
    explicit HttpConnection(std::uint16_t port,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30));
    ~HttpConnection();
    HttpConnection(const HttpConnection&) = delete;
    HttpConnection& operator=(const HttpConnection&) = delete;

    // Content-Length is added for a body; Host always.
    HttpResponse request(std::string_view method, std::string_view target,
                         const Headers& headers = {}, std::string_view body = {});
    // Sends raw bytes and reads one answer (for malformed requests).
    HttpResponse raw(std::string_view bytes);
    // False once the server closed the connection or an answer failed.
    bool is_open() const { return fd_ >= 0; }

  private:
    HttpResponse read_response();
    void close();
    int fd_ = -1;
    std::chrono::milliseconds timeout_;
    std::string buffer_;  // bytes read past the last answer
};

// One request on a fresh connection.
HttpResponse http(std::uint16_t port, std::string_view method, std::string_view target,
                  const Headers& headers = {}, std::string_view body = {});

// {"Authorization", "Basic base64(login:password)"}
std::pair<std::string, std::string> basic_auth(std::string_view login, std::string_view password);

}  // namespace smartq::test
