#pragma once

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>

namespace smartq::http::testing {

// Runs one task on io to completion and returns its result or rethrows its exception.
template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> task) {
    std::optional<T> result;
    std::exception_ptr failure;
    boost::asio::co_spawn(
        io, [&]() -> boost::asio::awaitable<void> { result.emplace(co_await std::move(task)); },
        [&](std::exception_ptr caught) { failure = caught; });
    io.restart();
    io.run();
    if (failure) {
        std::rethrow_exception(failure);
    }
    return std::move(*result);
}

inline void run(boost::asio::io_context& io, boost::asio::awaitable<void> task) {
    std::exception_ptr failure;
    boost::asio::co_spawn(io, std::move(task),
                          [&](std::exception_ptr caught) { failure = caught; });
    io.restart();
    io.run();
    if (failure) {
        std::rethrow_exception(failure);
    }
}

}  // namespace smartq::http::testing
