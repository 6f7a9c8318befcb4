#include "sync/restore/gate.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace smartq::sync::restore {
namespace asio = boost::asio;

Gate::Gate(asio::any_io_executor executor)
    : timer_(executor, asio::steady_timer::time_point::max()) {}

void Gate::open(std::exception_ptr failure) {
    if (open_)
        return;
    open_ = true;
    failure_ = std::move(failure);
    timer_.cancel();
}

asio::awaitable<void> Gate::wait() {
    while (!open_) {
        boost::system::error_code cancelled;
        co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, cancelled));
    }
    if (failure_)
        std::rethrow_exception(failure_);
}

Gate::Opener::~Opener() {
    gate_.open(failure_);
}

}  // namespace smartq::sync::restore
