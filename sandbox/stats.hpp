// Request statistics of the sandbox, so tests and benchmarks can assert how a
// client talked to the API (how many pages, which routes, how many retries).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace smartq::sandbox {

// "GET", {"projects","12","tickets"} -> "GET /projects/{id}/tickets". Custom
// field names become {name}; "me" and resource names stay as they are.
std::string route_template(std::string_view method, const std::vector<std::string>& path);

// "/projects/1/tickets/7" for a path under one ticket (the ticket itself, its notes, tasks,
// files and bodies); "/projects/1" for a project's own resources (its roles, steps, fields and
// their values); "/" for the account's root (/users, /users/me, the list of projects); empty for
// any other path, the listing of a project's tickets and the login among them.
std::string request_scope(const std::vector<std::string>& path);

class Stats {
  public:
    void record(const std::string& method, const std::string& route, unsigned status);
    // A request is being answered from begin to end (its latency included): counts how many are
    // at once, in all, under one ticket, among one project's own resources and at the account's
    // root, so that a test can tell whether a client sends them together or one after another,
    // by counting rather than timing.
    void begin(const std::string& scope);
    void end(const std::string& scope);
    void reset();
    std::uint64_t total() const { return total_; }
    // {"total":N,"by_route":{...},"by_method":{...},"by_status":{...},"faults_injected":{...},
    //  "in_flight":{"max":N,"max_under_one_ticket":N,"busiest_ticket":"/projects/1/tickets/7",
    //               "max_under_one_project":N,"busiest_project":"/projects/1",
    //               "max_at_root":N}}
    std::string to_json(const std::map<std::string, std::uint64_t>& faults_injected) const;

  private:
    std::uint64_t total_ = 0;
    std::map<std::string, std::uint64_t> by_route_;
    std::map<std::string, std::uint64_t> by_method_;
    std::map<std::string, std::uint64_t> by_status_;
    std::uint64_t in_flight_ = 0;
    std::uint64_t max_in_flight_ = 0;
    struct Busiest {
        std::uint64_t in_flight = 0;
        std::string scope;
    };
    std::map<std::string, std::uint64_t> in_flight_by_scope_;  // only scopes with one now
    Busiest ticket_;
    Busiest project_;
    Busiest root_;
};

}  // namespace smartq::sandbox
