#include "sync/http/pacer.hpp"

#include <algorithm>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cmath>

namespace smartq::http {

namespace asio = boost::asio;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

constexpr double kCutFactor = 0.9;  // of what the server let through in the last second
constexpr double kMinRate = 0.5;    // requests per second, however hostile the server
// A success adds this share of a request per second to the rate (so about 1% a second),
// and never less than kMinGrowth / rate (0.1 requests per second, every second).
constexpr double kGrowthPerSuccess = 0.01;
constexpr double kMinGrowth = 0.1;
constexpr auto kDefaultPause = seconds(1);  // a 429 without Retry-After
constexpr auto kBurst = milliseconds(50);   // of unused sending time a request may use

}  // namespace

PaceState::PaceState(PacerOptions options)
    : options_(options),
      window_(static_cast<double>(std::max<std::size_t>(options.max_in_flight, 1))),
      rate_(options.rate_limit) {}

std::size_t PaceState::window() const {
    return std::max<std::size_t>(1, static_cast<std::size_t>(std::floor(window_)));
}

bool PaceState::has_room() const {
    return in_flight_ < window();
}

PaceClock::time_point PaceState::earliest_send(PaceClock::time_point now) const {
    return std::max({now, next_send_, paused_until_});
}

void PaceState::sent(PaceClock::time_point now) {
    ++in_flight_;
    if (rate_) {
        auto interval =
            duration_cast<PaceClock::duration>(std::chrono::duration<double>(1.0 / *rate_));
        // A slot no request was ready for is not all lost: a little credit (kBurst)
        // lets the next few catch up, which keeps any one second under rate + credit.
        auto credit = duration_cast<PaceClock::duration>(kBurst);
        next_send_ = std::max(now - credit, next_send_) + interval;
    }
}

void PaceState::finished() {
    if (in_flight_ > 0) {
        --in_flight_;
    }
}

void PaceState::forget_before(PaceClock::time_point now) {
    while (!recent_successes_.empty() && now - recent_successes_.front() >= seconds(1)) {
        recent_successes_.pop_front();
    }
}

void PaceState::succeeded(PaceClock::time_point now) {
    recent_successes_.push_back(now);
    forget_before(now);
    auto ceiling = static_cast<double>(std::max<std::size_t>(options_.max_in_flight, 1));
    window_ = std::min(ceiling, window_ + 1.0 / window_);
    if (rate_) {
        *rate_ += std::max(kGrowthPerSuccess, kMinGrowth / *rate_);
        if (options_.rate_limit) {
            *rate_ = std::min(*rate_, *options_.rate_limit);
        }
    }
}

void PaceState::cut_window(PaceClock::time_point now, PaceClock::time_point sent_at) {
    if (sent_at < last_cut_) {
        return;  // sent before the last cut: that cut already answered this slow-down
    }
    window_ = std::max(1.0, window_ / 2);
    last_cut_ = now;
}

void PaceState::rate_limited(PaceClock::time_point now, PaceClock::time_point sent_at,
                             std::optional<milliseconds> retry_after, double jitter) {
    auto wait =
        std::min<milliseconds>(retry_after.value_or(kDefaultPause), options_.max_retry_after);
    auto spread = duration_cast<PaceClock::duration>(wait * (std::clamp(jitter, 0.0, 1.0) / 10));
    paused_until_ = std::max(paused_until_, now + wait + spread);
    if (sent_at < last_rate_cut_) {
        return;
    }
    forget_before(now);
    // What the server let through in the last second is the best guess of its limit.
    double base = static_cast<double>(recent_successes_.size());
    if (rate_) {
        base = base > 0 ? std::min(base, *rate_) : *rate_;
    } else {
        base = std::max(base, 1.0);
    }
    rate_ = std::max(kMinRate, kCutFactor * base);
    last_rate_cut_ = now;
    cut_window(now, sent_at);
}

void PaceState::overloaded(PaceClock::time_point now, PaceClock::time_point sent_at) {
    cut_window(now, sent_at);
}

struct Pacer::Waiter {
    explicit Waiter(asio::any_io_executor executor) : timer(std::move(executor)) {}
    asio::steady_timer timer;
};

std::shared_ptr<Pacer> Pacer::create(asio::any_io_executor executor, PacerOptions options,
                                     std::shared_ptr<Pacer> daemon) {
    return std::shared_ptr<Pacer>(new Pacer(std::move(executor), options, std::move(daemon)));
}

Pacer::Pacer(asio::any_io_executor executor, PacerOptions options, std::shared_ptr<Pacer> daemon)
    : executor_(std::move(executor)),
      state_(options),
      daemon_(std::move(daemon)),
      random_(std::random_device{}()) {}

asio::awaitable<Pacer::Ticket> Pacer::admit() {
    auto self = shared_from_this();
    auto waiter = std::make_shared<Waiter>(executor_);
    waiters_.push_back(waiter);
    // Leaves the queue however this coroutine ends, so no one waits behind a ghost.
    struct Leave {
        Pacer& pacer;
        std::shared_ptr<Waiter>& waiter;
        ~Leave() {
            auto it = std::find(pacer.waiters_.begin(), pacer.waiters_.end(), waiter);
            if (it == pacer.waiters_.begin()) {
                pacer.waiters_.pop_front();
                pacer.wake_first();
            } else if (it != pacer.waiters_.end()) {
                pacer.waiters_.erase(it);
            }
        }
    };
    std::unique_ptr<Ticket> daemon;
    PaceClock::time_point now;
    {
        Leave leave{*this, waiter};
        for (;;) {
            now = PaceClock::now();
            if (waiters_.front() == waiter && state_.has_room()) {
                auto when = state_.earliest_send(now);
                if (when <= now && (daemon || !daemon_)) {
                    break;
                }
                if (when <= now) {
                    // The daemon's turn. This request stays first in the account's queue
                    // meanwhile, and looks at the account again after: a 429 may have
                    // paused it, and the account's spacing counts from the real send.
                    auto admitted = co_await daemon_->admit();
                    daemon = std::make_unique<Ticket>(std::move(admitted));
                    continue;
                }
                waiter->timer.expires_at(when);
            } else {
                waiter->timer.expires_at(asio::steady_timer::time_point::max());
            }
            boost::system::error_code woken;
            co_await waiter->timer.async_wait(asio::redirect_error(asio::use_awaitable, woken));
        }
        state_.sent(now);
    }
    Ticket ticket(self, now);  // from here on, however this ends, the request is counted out
    ticket.daemon_ = std::move(daemon);
    co_return ticket;
}

void Pacer::wake_first() {
    if (!waiters_.empty()) {
        waiters_.front()->timer.cancel();
    }
}

void Pacer::finish() {
    state_.finished();
    wake_first();
}

Pacer::Ticket::~Ticket() {
    if (owner_) {
        owner_->finish();
    }
}

void Pacer::Ticket::succeeded() {
    owner_->state_.succeeded(PaceClock::now());
    owner_->wake_first();
}

void Pacer::Ticket::rate_limited(std::optional<milliseconds> retry_after) {
    double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(owner_->random_);
    owner_->state_.rate_limited(PaceClock::now(), sent_at_, retry_after, jitter);
    owner_->wake_first();
}

void Pacer::Ticket::overloaded() {
    owner_->state_.overloaded(PaceClock::now(), sent_at_);
    owner_->wake_first();
}

}  // namespace smartq::http
