#include "sync/crawl/work_queue.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace smartq::sync {
namespace asio = boost::asio;

namespace {
constexpr auto kNever = asio::steady_timer::time_point::max();
}

WorkQueue::WorkQueue(asio::any_io_executor executor, std::size_t workers,
                     std::size_t waiting_limit)
    : executor_(executor),
      workers_(std::max<std::size_t>(1, workers)),
      waiting_limit_(waiting_limit),
      work_arrived_(executor, kNever),
      room_made_(executor, kNever),
      all_done_(executor, kNever) {}

asio::awaitable<void> WorkQueue::wait(asio::steady_timer& timer) {
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

void WorkQueue::push_begun(const Chain& after, Job job) {
    begun_.push_back({std::move(job), after.requests});
    work_arrived_.cancel();
}

void WorkQueue::push_new(const Chain& after, Job job) {
    fresh_.push_back({std::move(job), after.requests});
    work_arrived_.cancel();
}

WorkQueue::Entry WorkQueue::pop() {
    Entry entry;
    if (!begun_.empty()) {
        entry = std::move(begun_.back());
        begun_.pop_back();
    } else {
        entry = std::move(fresh_.front());
        fresh_.pop_front();
        if (fresh_.size() <= waiting_limit_)
            room_made_.cancel();
    }
    return entry;
}

asio::awaitable<void> WorkQueue::room() {
    while (fresh_.size() > waiting_limit_ && !error_) {
        ++parked_;
        if (alive_ - parked_ < workers_)
            spawn_worker();
        co_await wait(room_made_);
        --parked_;
    }
}

void WorkQueue::spawn_worker() {
    ++alive_;
    asio::co_spawn(executor_, work(), asio::detached);
}

asio::awaitable<void> WorkQueue::work() {
    // A job back from room() makes one worker too many: the next one to finish a job leaves.
    while (!error_ && alive_ - parked_ <= workers_) {
        if (begun_.empty() && fresh_.empty()) {
            if (running_ == 0)
                break;  // nothing queued, and nothing running that could queue more
            co_await wait(work_arrived_);
            continue;
        }
        auto entry = pop();
        Chain chain{entry.after};
        ++running_;
        try {
            co_await entry.job(chain);
        } catch (...) {
            fail(std::current_exception());
        }
        --running_;
        critical_path_ = std::max(critical_path_, chain.requests);
    }
    --alive_;
    work_arrived_.cancel();  // the others check whether they are done too
    if (alive_ == 0)
        all_done_.cancel();
}

asio::awaitable<void> WorkQueue::run() {
    for (std::size_t i = 0; i < workers_; ++i)
        spawn_worker();
    while (alive_ > 0)
        co_await wait(all_done_);
    begun_.clear();
    fresh_.clear();
    if (error_)
        std::rethrow_exception(error_);
}

void WorkQueue::fail(std::exception_ptr error) {
    if (!error_)
        error_ = error;
    work_arrived_.cancel();
    room_made_.cancel();
}

}  // namespace smartq::sync
