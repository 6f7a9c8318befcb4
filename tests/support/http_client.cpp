#include "support/http_client.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <openssl/evp.h>

namespace smartq::test {
namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](char x, char y) { return lower(x) == lower(y); });
}

bool CaseInsensitiveLess::operator()(const std::string& a, const std::string& b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](char x, char y) { return lower(x) < lower(y); });
}

std::optional<std::string> HttpResponse::header(const std::string& name) const {
    auto found = headers.find(name);
    if (found == headers.end()) {
        return std::nullopt;
    }
    return found->second;
}

HttpConnection::HttpConnection(std::uint16_t port, std::chrono::milliseconds timeout)
    : timeout_(timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        const std::string reason = std::strerror(errno);
        close();
        throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " +
                                 reason);
    }
    int on = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
}

HttpConnection::~HttpConnection() {
    close();
}

void HttpConnection::close() {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

HttpResponse HttpConnection::request(std::string_view method, std::string_view target,
                                     const Headers& headers, std::string_view body) {
    std::string bytes;
    bytes.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    bool has_length = false;
    for (const auto& [name, value] : headers) {
        has_length = has_length || iequals(name, "Content-Length");
        bytes.append(name).append(": ").append(value).append("\r\n");
    }
    if (!has_length && (!body.empty() || method == "POST" || method == "PUT")) {
        bytes.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    }
    bytes.append("\r\n").append(body);
    return raw(bytes);
}

HttpResponse HttpConnection::raw(std::string_view bytes) {
    HttpResponse failed;
    if (fd_ < 0) {
        failed.error = "connection is closed";
        return failed;
    }
    while (!bytes.empty()) {
        auto sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent < 0 && errno == EINTR) {
            continue;
        }
        if (sent <= 0) {
            close();
            failed.error = std::string("send failed: ") + std::strerror(errno);
            return failed;
        }
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    auto response = read_response();
    if (!response.complete()) {
        close();
    }
    return response;
}

HttpResponse HttpConnection::read_response() {
    HttpResponse response;
    // Reads more bytes into buffer_; false on close, error or timeout (noted).
    auto fill = [&]() {
        pollfd ready{fd_, POLLIN, 0};
        int polled = ::poll(&ready, 1, static_cast<int>(timeout_.count()));
        if (polled == 0) {
            response.error = "timed out";
            return false;
        }
        char chunk[65536];
        auto got = polled < 0 ? -1 : ::recv(fd_, chunk, sizeof chunk, 0);
        if (got <= 0) {
            response.error = got == 0 ? "connection closed" : std::strerror(errno);
            return false;
        }
        buffer_.append(chunk, static_cast<std::size_t>(got));
        return true;
    };
    std::size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
        if (!fill()) {
            response.error += " before the answer's headers";
            return response;
        }
    }
    std::string_view head(buffer_.data(), header_end);
    auto line_end = head.find("\r\n");
    auto status_line = head.substr(0, line_end);
    auto space = status_line.find(' ');
    if (status_line.substr(0, 5) != "HTTP/" || space == std::string_view::npos) {
        response.error = "malformed status line";
        return response;
    }
    response.status =
        static_cast<unsigned>(std::atoi(std::string(status_line.substr(space + 1, 3)).c_str()));
    head.remove_prefix(line_end == std::string_view::npos ? head.size() : line_end + 2);
    while (!head.empty()) {
        auto end = head.find("\r\n");
        auto line = head.substr(0, end);
        auto colon = line.find(':');
        if (colon != std::string_view::npos) {
            response.headers[std::string(trim(line.substr(0, colon)))] =
                std::string(trim(line.substr(colon + 1)));
        }
        head.remove_prefix(end == std::string_view::npos ? head.size() : end + 2);
    }
    buffer_.erase(0, header_end + 4);
    // The sandbox always sends Content-Length; without one the body runs to the close.
    auto length_text = response.header("Content-Length");
    const bool bounded = length_text.has_value();
    const std::size_t length = bounded ? std::stoull(*length_text) : SIZE_MAX;
    while (buffer_.size() < length) {
        if (!fill()) {
            if (!bounded && response.error == "connection closed") {
                response.error.clear();
                break;
            }
            response.error += " after " + std::to_string(buffer_.size()) + " of " +
                              std::to_string(length) + " body bytes";
            break;
        }
    }
    const auto taken = std::min(length, buffer_.size());
    response.body = buffer_.substr(0, taken);
    buffer_.erase(0, taken);
    auto connection = response.header("Connection");
    if (connection && iequals(*connection, "close")) {
        close();
    }
    return response;
}

HttpResponse http(std::uint16_t port, std::string_view method, std::string_view target,
                  const Headers& headers, std::string_view body) {
    HttpConnection connection(port);
    return connection.request(method, target, headers, body);
}

std::pair<std::string, std::string> basic_auth(std::string_view login, std::string_view password) {
    const std::string plain = std::string(login) + ":" + std::string(password);
    std::string encoded(4 * ((plain.size() + 2) / 3) + 1, '\0');
    const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                       reinterpret_cast<const unsigned char*>(plain.data()),
                                       static_cast<int>(plain.size()));
    encoded.resize(static_cast<std::size_t>(length));
    return {"Authorization", "Basic " + encoded};
}

}  // namespace smartq::test
