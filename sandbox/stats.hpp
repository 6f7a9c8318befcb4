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

class Stats {
  public:
    void record(const std::string& method, const std::string& route, unsigned status);
    void reset();
    std::uint64_t total() const { return total_; }
    // {"total":N,"by_route":{...},"by_method":{...},"by_status":{...},"faults_injected":{...}}
    std::string to_json(const std::map<std::string, std::uint64_t>& faults_injected) const;

  private:
    std::uint64_t total_ = 0;
    std::map<std::string, std::uint64_t> by_route_;
    std::map<std::string, std::uint64_t> by_method_;
    std::map<std::string, std::uint64_t> by_status_;
};

}  // namespace smartq::sandbox
