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

std::string request_scope(const std::vector<std::string>& path) {
    if (!path.empty() && (path[0] == "users" || (path[0] == "projects" && path.size() == 1)))
        return "/";
    if (path.size() < 3 || path[0] != "projects")
        return {};
    if (path[2] != "tickets")
        return "/projects/" + path[1];
    if (path.size() < 4)
        return {};
    return "/projects/" + path[1] + "/tickets/" + path[3];
}

void Stats::begin(const std::string& scope) {
    max_in_flight_ = std::max(max_in_flight_, ++in_flight_);
    if (scope.empty())
        return;
    auto now = ++in_flight_by_scope_[scope];
    auto& busiest = scope == "/"                                   ? root_
                    : scope.find("/tickets/") == std::string::npos ? project_
                                                                   : ticket_;
    if (now > busiest.in_flight)
        busiest = {now, scope};
}

void Stats::end(const std::string& scope) {
    --in_flight_;
    if (scope.empty())
        return;
    auto found = in_flight_by_scope_.find(scope);
    if (found != in_flight_by_scope_.end() && --found->second == 0)
        in_flight_by_scope_.erase(found);
}

// Requests being answered stay counted across a reset: they end after it.
void Stats::reset() {
    auto in_flight = in_flight_;
    auto by_scope = std::move(in_flight_by_scope_);
    *this = Stats{};
    in_flight_ = in_flight;
    in_flight_by_scope_ = std::move(by_scope);
}

std::string Stats::to_json(const std::map<std::string, std::uint64_t>& faults_injected) const {
    std::string out;
    wire::JsonWriter json(out);
    json.begin_object().key("total").value(static_cast<std::int64_t>(total_));
    write_counts(json, "by_route", by_route_);
    write_counts(json, "by_method", by_method_);
    write_counts(json, "by_status", by_status_);
    write_counts(json, "faults_injected", faults_injected);
    json.key("in_flight").begin_object();
    json.key("max").value(static_cast<std::int64_t>(max_in_flight_));
    json.key("max_under_one_ticket").value(static_cast<std::int64_t>(ticket_.in_flight));
    json.key("busiest_ticket").value(ticket_.scope);
    json.key("max_under_one_project").value(static_cast<std::int64_t>(project_.in_flight));
    json.key("busiest_project").value(project_.scope);
    json.key("max_at_root").value(static_cast<std::int64_t>(root_.in_flight));
    json.end_object();
    json.end_object();
    return out;
}

}  // namespace smartq::sandbox
