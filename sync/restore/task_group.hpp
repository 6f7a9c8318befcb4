// Structured concurrency for the restore: coroutines spawned into a group are
// awaited together, the first failure is kept and rethrown by wait(), and the
// others see failed() and stop at their next step instead of going on.
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <exception>

namespace smartq::sync::restore {

class TaskGroup {
  public:
    explicit TaskGroup(boost::asio::any_io_executor executor);
    TaskGroup(const TaskGroup&) = delete;
    TaskGroup& operator=(const TaskGroup&) = delete;

    void spawn(boost::asio::awaitable<void> task);
    // Returns when every spawned task has finished; rethrows the first failure.
    boost::asio::awaitable<void> wait();
    bool failed() const { return static_cast<bool>(error_); }
    // Records a failure from outside a task (an interruption); later steps stop.
    void fail(std::exception_ptr error);

  private:
    boost::asio::any_io_executor executor_;
    boost::asio::steady_timer idle_;
    std::size_t pending_ = 0;
    std::exception_ptr error_;
};

}  // namespace smartq::sync::restore
