#include "sync/http/request_stats.hpp"

#include <algorithm>

namespace smartq::http {

void DurationHistogram::observe(std::chrono::duration<double> took) {
    double seconds = std::max(0.0, took.count());
    auto bucket = std::lower_bound(kBounds.begin(), kBounds.end(), seconds) - kBounds.begin();
    ++buckets_[static_cast<std::size_t>(bucket)];
    ++count_;
    sum_ += seconds;
}

void DurationHistogram::add(const DurationHistogram& other) {
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        buckets_[i] += other.buckets_[i];
    }
    count_ += other.count_;
    sum_ += other.sum_;
}

std::uint64_t DurationHistogram::cumulative(std::size_t i) const {
    std::uint64_t total = 0;
    for (std::size_t b = 0; b <= std::min(i, buckets_.size() - 1); ++b) {
        total += buckets_[b];
    }
    return total;
}

AnswerClass answer_class(unsigned status) {
    switch (status / 100) {
        case 2:
            return AnswerClass::Success;
        case 3:
            return AnswerClass::Redirect;
        case 4:
            return AnswerClass::ClientError;
        case 5:
            return AnswerClass::ServerError;
        default:
            return AnswerClass::TransportFailure;
    }
}

std::string_view to_label(AnswerClass cls) {
    switch (cls) {
        case AnswerClass::Success:
            return "2xx";
        case AnswerClass::Redirect:
            return "3xx";
        case AnswerClass::ClientError:
            return "4xx";
        case AnswerClass::ServerError:
            return "5xx";
        case AnswerClass::TransportFailure:
            break;
    }
    return "failed";
}

void InFlightIntegral::change(Clock::time_point now, int delta) {
    settled_ = seconds(now);
    since_ = now;
    in_flight_ = static_cast<std::size_t>(static_cast<long>(in_flight_) + delta);
}

double InFlightIntegral::seconds(Clock::time_point now) const {
    if (in_flight_ == 0) {
        return settled_;
    }
    std::chrono::duration<double> span = now - since_;
    return settled_ + static_cast<double>(in_flight_) * span.count();
}

}  // namespace smartq::http
