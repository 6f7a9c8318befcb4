// Reading one TOML table of the configuration: typed values, unknown keys,
// and every mistake as a ConfigError at the line of its key.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include <toml++/toml.h>

#include "config/closest_match.hpp"
#include "config/config.hpp"
#include "config/duration.hpp"
#include "config/values.hpp"

namespace smartq::config {

// "FILE:LINE", or FILE when the place is unknown.
std::string located(const std::filesystem::path& file, const toml::source_region& where);

// "a table", "an integer", ...: what a message says a value is.
std::string_view type_name(toml::node_type type);

// One TOML table and its dotted name. Every mistake found in it becomes a
// ConfigError that points at the line of the offending key, or of the table
// when a key is missing.
class TableReader {
  public:
    TableReader(const toml::table& table, std::string name, const std::filesystem::path& file)
        : table_(table), name_(std::move(name)), file_(file) {}

    const toml::table& table() const { return table_; }
    const std::string& name() const { return name_; }

    std::string full_key(std::string_view key) const {
        return name_.empty() ? std::string(key) : name_ + "." + std::string(key);
    }

    [[noreturn]] void fail(std::string_view key, std::string_view problem) const {
        const toml::node* node = table_.get(key);
        throw ConfigError(located(file_, node ? node->source() : table_.source()) + ": key '" +
                          full_key(key) + "': " + std::string(problem));
    }

    [[noreturn]] void fail_here(std::string_view problem) const {
        throw ConfigError(located(file_, table_.source()) + ": key '" + name_ +
                          "': " + std::string(problem));
    }

    void refuse_unknown_keys(std::span<const std::string_view> known) const {
        for (auto&& [key, node] : table_) {
            if (std::find(known.begin(), known.end(), key.str()) != known.end()) {
                continue;
            }
            std::string problem = "unknown key";
            if (auto suggestion = closest_match(key.str(), known)) {
                problem += "; did you mean '" + std::string(*suggestion) + "'?";
            }
            fail(key.str(), problem);
        }
    }

    bool has(std::string_view key) const { return table_.contains(key); }

    template <typename T>
    std::optional<T> get(std::string_view key, std::string_view expected) const {
        const toml::node* node = table_.get(key);
        if (node == nullptr) {
            return std::nullopt;
        }
        if (auto* value = node->as<T>()) {
            return value->get();
        }
        fail(key,
             "expected " + std::string(expected) + ", got " + std::string(type_name(node->type())));
    }

    std::optional<std::string> string(std::string_view key) const {
        return get<std::string>(key, "a string");
    }

    std::optional<int> integer_in(std::string_view key, int low, int high) const {
        auto value = get<std::int64_t>(key, "an integer");
        if (value && (*value < low || *value > high)) {
            fail(key, std::to_string(*value) + " is not in " + std::to_string(low) + ".." +
                          std::to_string(high));
        }
        return value ? std::optional<int>(static_cast<int>(*value)) : std::nullopt;
    }

    // Runs CHECK; a std::invalid_argument it throws becomes a ConfigError at KEY.
    template <typename Check>
    auto checked(std::string_view key, Check&& check) const {
        try {
            return check();
        } catch (const std::invalid_argument& e) {
            fail(key, e.what());
        }
    }

    std::optional<std::chrono::seconds> duration(std::string_view key) const {
        auto text = get<std::string>(key, "a duration string such as \"15m\"");
        return text ? std::optional(checked(key, [&] { return parse_duration(*text); }))
                    : std::nullopt;
    }

    // A whole or fractional number of requests per second.
    std::optional<double> rate(std::string_view key) const {
        const toml::node* node = table_.get(key);
        if (node == nullptr) {
            return std::nullopt;
        }
        std::optional<double> value;
        if (auto* whole = node->as_integer()) {
            value = static_cast<double>(whole->get());
        } else if (auto* fraction = node->as_floating_point()) {
            value = fraction->get();
        } else {
            fail(key, "expected a number of requests per second, got " +
                          std::string(type_name(node->type())));
        }
        checked(key, [&] { check_rate(*value); });
        return value;
    }

    // "64MiB", or a whole number of bytes.
    std::optional<std::uint64_t> size(std::string_view key) const {
        const toml::node* node = table_.get(key);
        if (node == nullptr) {
            return std::nullopt;
        }
        if (auto* whole = node->as_integer()) {
            return checked(key, [&] { return parse_size(std::to_string(whole->get()) + "B"); });
        }
        auto text = get<std::string>(key, "a size such as \"64MiB\"");
        return checked(key, [&] { return parse_size(*text); });
    }

    // The transport keys of this table, each defaulting to `defaults`.
    TransportConfig transport(const TransportConfig& defaults) const {
        TransportConfig out = defaults;
        if (auto value = rate("rate_limit")) {
            out.rate_limit = value;
        }
        out.request_timeout = duration("request_timeout").value_or(defaults.request_timeout);
        out.retry_for = duration("retry_for").value_or(defaults.retry_for);
        out.max_answer_size = size("max_answer_size").value_or(defaults.max_answer_size);
        return out;
    }

  private:
    const toml::table& table_;
    std::string name_;
    const std::filesystem::path& file_;
};

}  // namespace smartq::config
