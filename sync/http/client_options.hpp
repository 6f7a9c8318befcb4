// What an account's configuration sets of its client: its own header, so that the code
// that only configures a client (the daemon's commands) need not see the client itself.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "sync/http/proxy.hpp"
#include "sync/http/retry.hpp"

namespace smartq::http {

struct ClientOptions {
    std::optional<std::filesystem::path> ca_file;
    std::optional<Proxy> proxy;  // see PoolOptions::proxy
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds read_timeout{60000};
    std::chrono::milliseconds request_timeout{120000};  // send to last byte, per attempt
    std::uint64_t max_answer_size = 64u << 20;          // a JSON answer, in bytes
    std::optional<double> rate_limit;                   // requests per second, never exceeded
    std::size_t max_connections = 8;  // requests in flight, and kept-alive connections
    RetryPolicy retry;
    std::string account;  // names the account in logs and messages
};

}  // namespace smartq::http
