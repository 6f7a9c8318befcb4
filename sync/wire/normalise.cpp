#include "normalise.hpp"

#include <charconv>
#include <cstdlib>

namespace smartq::wire {
namespace dom = simdjson::dom;

namespace {

bool is_object_list(dom::object object) {
    // A keyed list is an object whose every member is an object; an object
    // of scalars is a single record, not a list.
    if (object.size() == 0)
        return false;
    for (auto member : object) {
        if (!member.value.is_object())
            return false;
    }
    return true;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return value;
}

}  // namespace

std::vector<dom::element> list_items(dom::element data) {
    std::vector<dom::element> items;
    if (data.is_null())
        return items;
    if (dom::array array; data.get_array().get(array) == simdjson::SUCCESS) {
        items.reserve(array.size());
        for (auto item : array)
            items.push_back(item);
        return items;
    }
    dom::object object;
    if (data.get_object().get(object) != simdjson::SUCCESS) {
        throw WireError("expected a list but the server sent a " +
                        std::string(data.is_string() ? "string" : "scalar"));
    }
    if (object.size() == 0)
        return items;
    // An object wrapping exactly one array: {"tickets":[...]}.
    if (object.size() == 1) {
        auto only = (*object.begin()).value;
        if (only.is_array() || (only.is_object() && is_object_list(only.get_object().value()))) {
            return list_items(only);
        }
    }
    if (!is_object_list(object)) {
        throw WireError("expected a list but the server sent a single object");
    }
    items.reserve(object.size());
    for (auto member : object)
        items.push_back(member.value);
    return items;
}

std::optional<std::int64_t> as_id(dom::element value) {
    switch (value.type()) {
        case dom::element_type::INT64:
            return value.get_int64().value();
        case dom::element_type::UINT64: {
            auto u = value.get_uint64().value();
            if (u > static_cast<std::uint64_t>(INT64_MAX))
                return std::nullopt;
            return static_cast<std::int64_t>(u);
        }
        case dom::element_type::STRING:
            return parse_integer(value.get_string().value());
        default:
            return std::nullopt;
    }
}

std::optional<bool> as_bool(dom::element value) {
    switch (value.type()) {
        case dom::element_type::BOOL:
            return value.get_bool().value();
        case dom::element_type::INT64:
            return value.get_int64().value() != 0;
        case dom::element_type::UINT64:
            return value.get_uint64().value() != 0;
        case dom::element_type::STRING: {
            auto text = value.get_string().value();
            if (text == "1" || text == "true")
                return true;
            if (text == "0" || text == "false" || text.empty())
                return false;
            return std::nullopt;
        }
        default:
            return std::nullopt;
    }
}

std::optional<double> as_number(dom::element value) {
    switch (value.type()) {
        case dom::element_type::INT64:
            return static_cast<double>(value.get_int64().value());
        case dom::element_type::UINT64:
            return static_cast<double>(value.get_uint64().value());
        case dom::element_type::DOUBLE:
            return value.get_double().value();
        case dom::element_type::STRING: {
            std::string text(value.get_string().value());
            if (text.empty())
                return std::nullopt;
            char* end = nullptr;
            double number = std::strtod(text.c_str(), &end);
            if (end != text.c_str() + text.size())
                return std::nullopt;
            return number;
        }
        default:
            return std::nullopt;
    }
}

std::optional<std::string> as_text(dom::element value) {
    switch (value.type()) {
        case dom::element_type::STRING:
            return std::string(value.get_string().value());
        case dom::element_type::INT64:
            return std::to_string(value.get_int64().value());
        case dom::element_type::UINT64:
            return std::to_string(value.get_uint64().value());
        case dom::element_type::DOUBLE:
            return simdjson::minify(value);
        case dom::element_type::BOOL:
            return value.get_bool().value() ? "1" : "0";
        default:
            return std::nullopt;
    }
}

std::optional<dom::element> field(dom::element object, std::string_view name) {
    dom::element member;
    if (object[name].get(member) != simdjson::SUCCESS)
        return std::nullopt;
    return member;
}

std::string to_json(dom::element value) {
    return simdjson::minify(value);
}

}  // namespace smartq::wire
