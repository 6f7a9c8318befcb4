#pragma once

#include <string>

#include <fmt/format.h>

namespace smartq::config {

// A password or API key. It has no operator<< and formats as "***", so a
// secret cannot reach a log line or an error message by accident; code that
// needs the value asks for it by name with reveal().
class Secret {
  public:
    Secret() = default;
    explicit Secret(std::string value) : value_(std::move(value)) {}

    const std::string& reveal() const { return value_; }
    bool empty() const { return value_.empty(); }

  private:
    std::string value_;
};

}  // namespace smartq::config

template <>
struct fmt::formatter<smartq::config::Secret> : fmt::formatter<fmt::string_view> {
    template <typename FormatContext>
    auto format(const smartq::config::Secret&, FormatContext& ctx) const {
        return fmt::formatter<fmt::string_view>::format("***", ctx);
    }
};
