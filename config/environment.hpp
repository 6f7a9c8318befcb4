#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace smartq::config {

// A read-only view of environment variables. Production code takes a
// snapshot of the process environment; tests pass a map, so no test depends
// on (or changes) the environment it runs in.
class Environment {
  public:
    using Variables = std::map<std::string, std::string, std::less<>>;

    Environment() = default;
    explicit Environment(Variables variables) : variables_(std::move(variables)) {}
    Environment(std::initializer_list<Variables::value_type> variables) : variables_(variables) {}

    static Environment from_process();

    // The value of NAME, or nothing when it is unset. A variable set to the
    // empty string is returned as an empty string.
    std::optional<std::string> get(std::string_view name) const;

  private:
    Variables variables_;
};

}  // namespace smartq::config
