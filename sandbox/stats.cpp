#include "stats.hpp"

#include <algorithm>
#include <cctype>

#include "sync/wire/json_writer.hpp"

namespace smartq::sandbox {
namespace {

bool is_number(std::string_view segment) {
    return !segment.empty() && std::all_of(segment.begin(), segment.end(),
                                           [](unsigned char c) { return std::isdigit(c); });
}

void write_counts(wire::JsonWriter& json, std::string_view name,
                  const std::map<std::string, std::uint64_t>& counts) {
    json.key(name).begin_object();
    for (const auto& [key, count] : counts) {
        json.key(key).value(static_cast<std::int64_t>(count));
    }
    json.end_object();
}

}  // namespace

std::string route_template(std::string_view method, const std::vector<std::string>& path) {
    std::string route(method);
    route += ' ';
    if (path.empty()) {
        route += '/';
    }
    for (std::size_t i = 0; i < path.size(); ++i) {
        route += '/';
        if (i > 0 && path[i - 1] == "custom_fields") {
            route += "{name}";
        } else if (is_number(path[i])) {
            route += "{id}";
        } else {
            route += path[i];
        }
    }
    return route;
}

void Stats::record(const std::string& method, const std::string& route, unsigned status) {
    ++total_;
    ++by_method_[method];
    ++by_route_[route];
    ++by_status_[std::to_string(status)];
}

void Stats::reset() {
    *this = Stats{};
}

std::string Stats::to_json(const std::map<std::string, std::uint64_t>& faults_injected) const {
    std::string out;
    wire::JsonWriter json(out);
    json.begin_object().key("total").value(static_cast<std::int64_t>(total_));
    write_counts(json, "by_route", by_route_);
    write_counts(json, "by_method", by_method_);
    write_counts(json, "by_status", by_status_);
    write_counts(json, "faults_injected", faults_injected);
    json.end_object();
    return out;
}

}  // namespace smartq::sandbox
