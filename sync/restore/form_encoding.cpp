#include "sync/restore/form_encoding.hpp"

#include <fmt/format.h>

#include <optional>

#include "sync/wire/values.hpp"

namespace smartq::sync::restore {
namespace dom = simdjson::dom;

namespace {

// A scalar as PHP form text: booleans 1/0, numbers in their shortest exact form.
std::optional<std::string> form_text(dom::element value) {
    if (value.is_null())
        return std::nullopt;
    if (value.is_bool())
        return value.get_bool().value() ? "1" : "0";
    if (value.is_int64())
        return std::to_string(value.get_int64().value());
    if (value.is_uint64())
        return std::to_string(value.get_uint64().value());
    if (value.is_double())
        return fmt::format("{}", value.get_double().value());
    if (value.is_string())
        return std::string(value.get_string().value());
    return std::nullopt;
}

}  // namespace

void add_json(wire::FormBuilder& form, std::vector<std::string> path, dom::element value) {
    if (value.is_array()) {
        std::size_t i = 0;
        for (auto item : value.get_array()) {
            auto item_path = path;
            item_path.push_back(std::to_string(i++));
            add_json(form, std::move(item_path), item);
        }
    } else if (value.is_object()) {
        for (auto member : value.get_object()) {
            auto member_path = path;
            member_path.emplace_back(member.key);
            add_json(form, std::move(member_path), member.value);
        }
    } else if (auto text = form_text(value)) {
        form.add(path, *text);
    }
}

void add_ids(wire::FormBuilder& form, const std::vector<std::string>& path,
             const std::vector<std::string>& ids, bool list) {
    if (!list) {
        if (!ids.empty())
            form.add(path, ids.front());
        return;
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
        auto item_path = path;
        item_path.push_back(std::to_string(i));
        form.add(item_path, ids[i]);
    }
}

bool unset(dom::element value) {
    if (value.is_string() && value.get_string().value().empty())
        return false;
    return wire::is_empty_value(value);
}

std::string form_without(const std::string& form, std::string_view field) {
    wire::FormBuilder out;
    for (const auto& [key, value] : wire::parse_form(form))
        if (key != field)
            out.add(wire::bracket_path(key), value);
    return out.str();
}

std::string join_forms(const std::string& first, const std::string& second) {
    if (first.empty())
        return second;
    if (second.empty())
        return first;
    return first + "&" + second;
}

}  // namespace smartq::sync::restore
