// The crawl's one scheduler. Every request that waits on no other (a ticket's notes and tasks,
// each note's files, each download, the next ticket) is a job in one queue served by a fixed
// number of workers, so that one ticket with hundreds of notes spreads over all of them
// instead of holding the end of the run. Bounded concurrency lives here and nowhere else; the
// transport's pacer stays the bound on requests on the wire.
//
// Memory stays flat: jobs hold ids and paths, never bodies; work already begun (the children
// of an open ticket) is served before new work, newest first, so few tickets are open at
// once; and a producer of new work (a ticket listing) waits while much of it is queued.
#pragma once

#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <vector>

namespace smartq::sync {

// How many requests were sent one after another to reach a point of the walk: a job starts
// where the request it waited on ended. The longest chain is the crawl's critical path, the
// floor of its wall time at any concurrency.
struct Chain {
    std::size_t requests = 0;
};

class WorkQueue {
  public:
    using Job = std::function<boost::asio::awaitable<void>(Chain&)>;

    // `waiting_limit`: how many jobs of new work may wait before room() makes a producer wait.
    WorkQueue(boost::asio::any_io_executor executor, std::size_t workers,
              std::size_t waiting_limit);
    WorkQueue(const WorkQueue&) = delete;
    WorkQueue& operator=(const WorkQueue&) = delete;

    // Work that continues what is begun: served first, the newest first.
    void push_begun(const Chain& after, Job job);
    // New work: served in order, when nothing begun waits.
    void push_new(const Chain& after, Job job);
    // Called by a job that produces new work: waits while more than the limit of it waits. A
    // new worker takes the waiting job's place meanwhile, so the queue never stalls on it.
    boost::asio::awaitable<void> room();

    // Serves jobs until none is queued and none runs; rethrows the first failure of a job.
    boost::asio::awaitable<void> run();
    // Records a failure from outside a job (an interruption): no further job starts.
    void fail(std::exception_ptr error);
    bool failed() const { return static_cast<bool>(error_); }

    // The longest chain of requests a finished job reached.
    std::size_t critical_path() const { return critical_path_; }

  private:
    struct Entry {
        Job job;
        std::size_t after = 0;
    };

    void spawn_worker();
    boost::asio::awaitable<void> work();
    Entry pop();
    static boost::asio::awaitable<void> wait(boost::asio::steady_timer& timer);

    boost::asio::any_io_executor executor_;
    std::size_t workers_;
    std::size_t waiting_limit_;
    std::vector<Entry> begun_;  // a stack: the newest begun work first
    std::deque<Entry> fresh_;   // new work in order
    std::size_t alive_ = 0;     // workers running
    std::size_t parked_ = 0;    // jobs waiting in room()
    std::size_t running_ = 0;   // jobs started and not finished
    std::size_t critical_path_ = 0;
    std::exception_ptr error_;
    // Timers that never expire: cancel() wakes whoever waits on them.
    boost::asio::steady_timer work_arrived_;
    boost::asio::steady_timer room_made_;
    boost::asio::steady_timer all_done_;
};

}  // namespace smartq::sync
