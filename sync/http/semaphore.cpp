#include "sync/http/semaphore.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

namespace smartq::http {

namespace asio = boost::asio;

// A parked acquirer. release() hands its unit over directly (granted) and wakes it by
// cancelling the timer, so a unit can never be stolen between the wake-up and the resume.
struct AsyncSemaphore::Waiter {
    explicit Waiter(asio::any_io_executor executor) : timer(executor) {
        timer.expires_at(asio::steady_timer::time_point::max());
    }
    asio::steady_timer timer;
    bool granted = false;
};

AsyncSemaphore::Permit& AsyncSemaphore::Permit::operator=(Permit&& other) noexcept {
    if (this != &other) {
        if (owner_) {
            owner_->release();
        }
        owner_ = std::move(other.owner_);
    }
    return *this;
}

AsyncSemaphore::Permit::~Permit() {
    if (owner_) {
        owner_->release();
    }
}

std::shared_ptr<AsyncSemaphore> AsyncSemaphore::create(asio::any_io_executor executor,
                                                       std::size_t units) {
    if (units == 0) {
        throw std::invalid_argument("a semaphore needs at least one unit");
    }
    return std::shared_ptr<AsyncSemaphore>(new AsyncSemaphore(std::move(executor), units));
}

AsyncSemaphore::AsyncSemaphore(asio::any_io_executor executor, std::size_t units)
    : executor_(std::move(executor)), available_(units) {}

asio::awaitable<AsyncSemaphore::Permit> AsyncSemaphore::acquire() {
    if (available_ > 0 && waiters_.empty()) {
        --available_;
        co_return Permit(shared_from_this());
    }
    auto waiter = std::make_shared<Waiter>(executor_);
    waiters_.push_back(waiter);
    while (!waiter->granted) {
        boost::system::error_code ignored;
        co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    co_return Permit(shared_from_this());
}

void AsyncSemaphore::release() {
    if (waiters_.empty()) {
        ++available_;
        return;
    }
    auto next = waiters_.front();
    waiters_.pop_front();
    next->granted = true;
    next->timer.cancel();
}

}  // namespace smartq::http
