#include "faults.hpp"

#include <stdexcept>

#include <fmt/format.h>
#include <simdjson.h>

#include "sync/wire/json_writer.hpp"

namespace smartq::sandbox {

FaultInjector::FaultInjector(const Faults& faults) : faults_(faults), random_(faults.seed) {
    validate(faults_);
}

void FaultInjector::update(const Faults& faults) {
    validate(faults);
    if (faults.seed != faults_.seed) {
        random_.seed(faults.seed);
    }
    faults_ = faults;
}

void FaultInjector::reset_counts() {
    injected_.clear();
}

bool FaultInjector::over_rate_limit(std::chrono::steady_clock::time_point now) {
    if (faults_.rate_limit <= 0) {
        return false;
    }
    if (now - window_start_ >= std::chrono::seconds(1)) {
        window_start_ = now;
        window_count_ = 0;
    }
    // Refused requests do not use up the window: a client that waits for
    // Retry-After gets through.
    if (window_count_ >= faults_.rate_limit) {
        return true;
    }
    ++window_count_;
    return false;
}

FaultDecision FaultInjector::decide(std::chrono::steady_clock::time_point now) {
    FaultDecision decision;
    decision.latency = std::chrono::milliseconds(faults_.latency_ms);
    if (faults_.latency_ms > 0) {
        ++injected_["latency"];
    }
    if (over_rate_limit(now)) {
        decision.kind = FaultKind::RateLimited;
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
        .key("seed")
        .value(static_cast<std::int64_t>(faults.seed))
        .key("forbidden_route")
        .value(faults.forbidden_route)
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
        } else if (key == "seed") {
            if (!field.value.is_uint64()) {
                throw std::invalid_argument("fault 'seed' must be a whole number");
            }
            base.seed = field.value.get_uint64().value();
        } else if (key == "forbidden_route") {
            std::string_view route;
            if (field.value.get_string().get(route) != simdjson::SUCCESS) {
                throw std::invalid_argument("fault 'forbidden_route' must be a string");
            }
            base.forbidden_route = std::string(route);
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
    if (faults.latency_ms < 0 || faults.rate_limit < 0) {
        throw std::invalid_argument("latency and rate limit must not be negative");
    }
}

}  // namespace smartq::sandbox
