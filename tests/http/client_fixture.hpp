#pragma once

#include <utility>

#include <boost/asio/io_context.hpp>
#include <memory>

#include "fake_server.hpp"
#include "run.hpp"
#include "sync/http/api_client.hpp"

namespace smartq::http::testing {

inline const Credentials test_credentials{"admin@acme.example", "s3cret-pass", "KEY-0123456789"};

// Small delays and timeouts so failure paths run in milliseconds.
inline ClientOptions fast_options() {
    ClientOptions options;
    options.account = "acme";
    options.connect_timeout = std::chrono::milliseconds(1000);
    options.read_timeout = std::chrono::milliseconds(2000);
    options.retry.max_attempts = 4;
    options.retry.base_delay = std::chrono::milliseconds(1);
    options.retry.max_delay = std::chrono::milliseconds(5);
    return options;
}

inline std::unique_ptr<ApiClient> make_client(boost::asio::io_context& io, const std::string& url,
                                              ClientOptions options = fast_options(),
                                              Access access = Access::ReadOnly,
                                              std::shared_ptr<Pacer> daemon = {}) {
    return std::make_unique<ApiClient>(io.get_executor(), parse_url(url), test_credentials, access,
                                       std::move(options), std::move(daemon));
}

// Runs f and returns the HttpError it threw; fails the test if it threw none.
template <class F>
HttpError http_error_of(F&& f) {
    try {
        f();
    } catch (const HttpError& error) {
        return error;
    }
    throw std::runtime_error("expected an HttpError, but the call succeeded");
}

}  // namespace smartq::http::testing
