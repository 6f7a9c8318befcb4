// A one-way gate between parts of the restore's walk: the objects of a kind
// wait until those they name exist (kind_gates.hpp).
// It opens once, however the awaited part ends; a failure given to open()
// is rethrown to every waiter, so that nothing waits forever or goes on
// without what it needs.
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>

namespace smartq::sync::restore {

class Gate {
  public:
    explicit Gate(boost::asio::any_io_executor executor);
    Gate(const Gate&) = delete;
    Gate& operator=(const Gate&) = delete;

    void open(std::exception_ptr failure = nullptr);
    // Returns once the gate is open; rethrows the failure it was opened with.
    boost::asio::awaitable<void> wait();

    // Opens the gate when destroyed, with the failure given to fail() if any.
    class Opener {
      public:
        explicit Opener(Gate& gate) : gate_(gate) {}
        ~Opener();
        Opener(const Opener&) = delete;
        Opener& operator=(const Opener&) = delete;
        void fail(std::exception_ptr failure) { failure_ = std::move(failure); }

      private:
        Gate& gate_;
        std::exception_ptr failure_;
    };

  private:
    boost::asio::steady_timer timer_;
    bool open_ = false;
    std::exception_ptr failure_;
};

}  // namespace smartq::sync::restore
