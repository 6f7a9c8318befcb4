#include "faults.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <simdjson.h>

#include "sync/wire/json_writer.hpp"

namespace smartq::sandbox {

FaultInjector::FaultInjector(const Faults& faults)
    : faults_(faults), random_(faults.seed), commit_random_(faults.seed + 1) {
    validate(faults_);
}

void FaultInjector::update(const Faults& faults) {
    validate(faults);
    if (faults.seed != faults_.seed) {
        random_.seed(faults.seed);
        commit_random_.seed(faults.seed + 1);
    }
    faults_ = faults;
}

void FaultInjector::reset_counts() {
    injected_.clear();
}

int FaultInjector::over_rate_limit(std::chrono::steady_clock::time_point now) {
    if (faults_.rate_limit <= 0) {
        let_through_.clear();
        return 0;
    }
    constexpr auto window = std::chrono::seconds(1);
    while (!let_through_.empty() && now - let_through_.front() >= window) {
        let_through_.pop_front();
    }
    // Refused requests do not use up the window: a client that waits for
    // Retry-After gets through.
    if (let_through_.size() >= static_cast<std::size_t>(faults_.rate_limit)) {
        auto room_in = let_through_[let_through_.size() - faults_.rate_limit] + window - now;
        auto seconds = std::chrono::ceil<std::chrono::seconds>(room_in).count();
        return static_cast<int>(std::max<std::int64_t>(seconds, 1));
    }
    let_through_.push_back(now);
    return 0;
}

std::optional<FaultKind> FaultInjector::commit_fault(unsigned& status) {
    if (faults_.commit_then_drop_rate + faults_.commit_then_error_rate <= 0) {
        return std::nullopt;
    }
    const double draw = std::uniform_real_distribution<double>(0.0, 1.0)(commit_random_);
    const unsigned statuses[] = {500, 502, 503};
    status = statuses[commit_random_() % 3];
    if (draw < faults_.commit_then_drop_rate) {
        ++injected_["commit_then_drop"];
        return FaultKind::CommitThenDrop;
    }
    if (draw < faults_.commit_then_drop_rate + faults_.commit_then_error_rate) {
        ++injected_["commit_then_error"];
        return FaultKind::CommitThenError;
    }
    return std::nullopt;
}

FaultDecision FaultInjector::decide(std::chrono::steady_clock::time_point now, bool write) {
    FaultDecision decision;
    decision.latency = std::chrono::milliseconds(faults_.latency_ms);
    if (faults_.latency_ms > 0) {
        ++injected_["latency"];
    }
    if (int wait = over_rate_limit(now)) {
        decision.kind = FaultKind::RateLimited;
        decision.retry_after_seconds = wait;
        ++injected_["rate_limit"];
        return decision;
    }
    // Always draw, so that the sequence of a given seed does not depend on
    // which rates are switched on.
    const double draw = std::uniform_real_distribution<double>(0.0, 1.0)(random_);
    const unsigned statuses[] = {500, 502, 503};
    const unsigned status = statuses[random_() % 3];
    if (draw < faults_.drop_rate) {
        decision.kind = FaultKind::Drop;
        ++injected_["drop"];
    } else if (draw < faults_.drop_rate + faults_.error_rate) {
        decision.kind = FaultKind::Error;
        decision.error_status = status;
        ++injected_["error"];
    } else if (draw < faults_.drop_rate + faults_.error_rate + faults_.truncate_rate) {
        decision.kind = FaultKind::Truncate;
        ++injected_["truncate"];
    }
    if (write && decision.kind == FaultKind::None) {
        if (auto kind = commit_fault(decision.error_status)) {
            decision.kind = *kind;
        }
    }
    return decision;
}

std::string html_error_page(unsigned status) {
    const char* reason = status == 502   ? "Bad Gateway"
                         : status == 503 ? "Service Temporarily Unavailable"
                                         : "Internal Server Error";
    return fmt::format(
        "<html>\r\n<head><title>{0} {1}</title></head>\r\n<body>\r\n"
        "<center><h1>{0} {1}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n"
        "</html>\r\n",
        status, reason);
}

std::string faults_to_json(const Faults& faults) {
    std::string out;
    wire::JsonWriter json(out);
    json.begin_object()
        .key("latency_ms")
        .value(faults.latency_ms)
        .key("error_rate")
        .value(faults.error_rate)
        .key("rate_limit")
        .value(faults.rate_limit)
        .key("drop_rate")
        .value(faults.drop_rate)
        .key("truncate_rate")
        .value(faults.truncate_rate)
        .key("commit_then_drop_rate")
        .value(faults.commit_then_drop_rate)
        .key("commit_then_error_rate")
        .value(faults.commit_then_error_rate)
        .key("seed")
        .value(static_cast<std::int64_t>(faults.seed))
        .key("forbidden_route")
        .value(faults.forbidden_route)
        .key("huge_answer_route")
        .value(faults.huge_answer_route)
        .key("trickle_route")
        .value(faults.trickle_route)
        .key("trickle_interval_ms")
        .value(faults.trickle_interval_ms)
        .end_object();
    return out;
}

namespace {

double number_of(simdjson::dom::element value, std::string_view key) {
    double number;
    if (value.is_double()) {
        number = value.get_double().value();
    } else if (value.is_int64()) {
        number = static_cast<double>(value.get_int64().value());
    } else if (value.is_uint64()) {
        number = static_cast<double>(value.get_uint64().value());
    } else {
        throw std::invalid_argument(fmt::format("fault '{}' must be a number", key));
    }
    return number;
}

int whole_number_of(simdjson::dom::element value, std::string_view key) {
    if (!value.is_int64()) {
        throw std::invalid_argument(fmt::format("fault '{}' must be a whole number", key));
    }
    auto number = value.get_int64().value();
    if (number < 0 || number > 3'600'000) {
        throw std::invalid_argument(fmt::format("fault '{}' is out of range", key));
    }
    return static_cast<int>(number);
}

std::string string_of(simdjson::dom::element value, std::string_view key) {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
        throw std::invalid_argument(fmt::format("fault '{}' must be a string", key));
    }
    return std::string(text);
}

}  // namespace

Faults faults_from_json(std::string_view json, Faults base) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
        throw std::invalid_argument("faults must be a JSON object");
    }
    simdjson::dom::object object;
    if (root.get_object().get(object) != simdjson::SUCCESS) {
        throw std::invalid_argument("faults must be a JSON object");
    }
    for (auto field : object) {
        const std::string_view key = field.key;
        if (key == "latency_ms") {
            base.latency_ms = whole_number_of(field.value, key);
        } else if (key == "rate_limit") {
            base.rate_limit = whole_number_of(field.value, key);
        } else if (key == "error_rate") {
            base.error_rate = number_of(field.value, key);
        } else if (key == "drop_rate") {
            base.drop_rate = number_of(field.value, key);
        } else if (key == "truncate_rate") {
            base.truncate_rate = number_of(field.value, key);
        } else if (key == "commit_then_drop_rate") {
            base.commit_then_drop_rate = number_of(field.value, key);
        } else if (key == "commit_then_error_rate") {
            base.commit_then_error_rate = number_of(field.value, key);
        } else if (key == "trickle_interval_ms") {
            base.trickle_interval_ms = whole_number_of(field.value, key);
        } else if (key == "seed") {
            if (!field.value.is_uint64()) {
                throw std::invalid_argument("fault 'seed' must be a whole number");
            }
            base.seed = field.value.get_uint64().value();
        } else if (key == "forbidden_route") {
            base.forbidden_route = string_of(field.value, key);
        } else if (key == "huge_answer_route") {
            base.huge_answer_route = string_of(field.value, key);
        } else if (key == "trickle_route") {
            base.trickle_route = string_of(field.value, key);
        } else {
            throw std::invalid_argument(fmt::format("unknown fault '{}'", key));
        }
    }
    validate(base);
    return base;
}

void validate(const Faults& faults) {
    for (double rate : {faults.error_rate, faults.drop_rate, faults.truncate_rate}) {
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw std::invalid_argument("fault rates must be between 0 and 1");
        }
    }
    if (faults.error_rate + faults.drop_rate + faults.truncate_rate > 1.0 + 1e-9) {
        throw std::invalid_argument("the error, drop and truncate rates must add up to at most 1");
    }
    for (double rate : {faults.commit_then_drop_rate, faults.commit_then_error_rate}) {
        if (!(rate >= 0.0 && rate <= 1.0)) {
            throw std::invalid_argument("fault rates must be between 0 and 1");
        }
    }
    if (faults.commit_then_drop_rate + faults.commit_then_error_rate > 1.0 + 1e-9) {
        throw std::invalid_argument(
            "the commit-then-drop and commit-then-error rates must add up to at most 1");
    }
    if (faults.trickle_interval_ms < 1) {
        throw std::invalid_argument("trickle_interval_ms must be at least 1");
    }
    if (faults.latency_ms < 0 || faults.rate_limit < 0) {
        throw std::invalid_argument("latency and rate limit must not be negative");
    }
}

}  // namespace smartq::sandbox
