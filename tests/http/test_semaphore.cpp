#include <utility>

#include <doctest/doctest.h>

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <vector>

#include "sync/http/semaphore.hpp"

namespace asio = boost::asio;
using smartq::http::AsyncSemaphore;

TEST_CASE("AsyncSemaphore: never more holders than units, waiters served in order") {
    asio::io_context io;
    auto semaphore = AsyncSemaphore::create(io.get_executor(), 2);
    int holding = 0;
    int most = 0;
    std::vector<int> order;
    for (int i = 0; i < 6; ++i) {
        asio::co_spawn(
            io,
            [&, i]() -> asio::awaitable<void> {
                auto permit = co_await semaphore->acquire();
                order.push_back(i);
                most = std::max(most, ++holding);
                asio::steady_timer pause(io, std::chrono::milliseconds(2));
                co_await pause.async_wait(asio::use_awaitable);
                --holding;
            },
            asio::detached);
    }
    io.run();
    CHECK(most == 2);
    CHECK(order == std::vector<int>{0, 1, 2, 3, 4, 5});
    CHECK(semaphore->available() == 2);
    CHECK(semaphore->waiting() == 0);
}

TEST_CASE("AsyncSemaphore: a moved permit releases once") {
    asio::io_context io;
    auto semaphore = AsyncSemaphore::create(io.get_executor(), 1);
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto first = co_await semaphore->acquire();
            CHECK(semaphore->available() == 0);
            AsyncSemaphore::Permit moved = std::move(first);
            CHECK(semaphore->available() == 0);
            moved = AsyncSemaphore::Permit();
            CHECK(semaphore->available() == 1);
        },
        asio::detached);
    io.run();
    CHECK(semaphore->available() == 1);
}

TEST_CASE("AsyncSemaphore: zero units is refused") {
    asio::io_context io;
    CHECK_THROWS_AS(AsyncSemaphore::create(io.get_executor(), 0), std::invalid_argument);
}
