#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <deque>
#include <memory>

namespace smartq::http {

// Bounds the requests in flight. Asio 1.74 has no channel or semaphore, so waiters
// park on their own timer, which release() cancels. Single-threaded: no locks.
class AsyncSemaphore : public std::enable_shared_from_this<AsyncSemaphore> {
  public:
    // Returns its unit on destruction; movable, not copyable.
    class Permit {
      public:
        Permit() = default;
        explicit Permit(std::shared_ptr<AsyncSemaphore> owner) : owner_(std::move(owner)) {}
        Permit(Permit&& other) noexcept = default;
        Permit& operator=(Permit&& other) noexcept;
        ~Permit();

      private:
        std::shared_ptr<AsyncSemaphore> owner_;
    };

    static std::shared_ptr<AsyncSemaphore> create(boost::asio::any_io_executor executor,
                                                  std::size_t units);

    boost::asio::awaitable<Permit> acquire();
    std::size_t available() const { return available_; }
    std::size_t waiting() const { return waiters_.size(); }

  private:
    struct Waiter;
    AsyncSemaphore(boost::asio::any_io_executor executor, std::size_t units);
    void release();

    boost::asio::any_io_executor executor_;
    std::size_t available_;
    std::deque<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace smartq::http
