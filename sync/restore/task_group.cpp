#include "sync/restore/task_group.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace smartq::sync::restore {
namespace asio = boost::asio;

TaskGroup::TaskGroup(asio::any_io_executor executor)
    : executor_(executor), idle_(executor, asio::steady_timer::time_point::max()) {}

void TaskGroup::spawn(asio::awaitable<void> task) {
    ++pending_;
    asio::co_spawn(executor_, std::move(task), [this](std::exception_ptr error) {
        if (error && !error_)
            error_ = error;
        if (--pending_ == 0)
            idle_.cancel();
    });
}

void TaskGroup::fail(std::exception_ptr error) {
    if (!error_)
        error_ = error;
}

asio::awaitable<void> TaskGroup::wait() {
    while (pending_ > 0) {
        boost::system::error_code ec;
        idle_.expires_at(asio::steady_timer::time_point::max());
        co_await idle_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (error_)
        std::rethrow_exception(error_);
}

}  // namespace smartq::sync::restore
