#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

// A scripted HTTP/1.1 server on 127.0.0.1 for the client's tests. It runs on its own
// thread and answers each request with the next scripted Reply (or a handler's).
namespace smartq::http::testing {

struct SeenRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;
    int connection = 0;

    std::string header(const std::string& name) const;
};

struct Reply {
    enum class Kind { Answer, Drop, Truncate };
    Kind kind = Kind::Answer;
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::chrono::milliseconds delay{0};
    bool close_silently = false;  // close after answering without saying Connection: close

    static Reply data(std::string data_json);
    static Reply error(unsigned status, std::string message);
    static Reply html(unsigned status);
    static Reply drop();
    static Reply truncated(std::string body, std::size_t claimed_length);
    static Reply token(std::string access, std::string refresh);
};

struct TlsIdentity {
    std::string certificate_chain_pem;
    std::string private_key_pem;
};

class FakeServer {
  public:
    using Handler = std::function<Reply(const SeenRequest&)>;

    explicit FakeServer(std::optional<TlsIdentity> tls = {});
    ~FakeServer();

    std::uint16_t port() const;
    std::string url() const;  // http(s)://127.0.0.1:port

    // Answers token POSTs with a fixed token pair unless a handler is set; other
    // requests get the queued replies in order, then 500 "script exhausted".
    void script(std::vector<Reply> replies);
    void handle(Handler handler);

    std::vector<SeenRequest> requests() const;
    std::vector<SeenRequest> requests_to(const std::string& target_prefix) const;
    int connections() const;
    int max_in_flight() const;

  private:
    struct State;
    std::shared_ptr<State> state_;
};

}  // namespace smartq::http::testing
