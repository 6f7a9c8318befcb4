#include "sync/verify/canonical.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "sync/wire/json_writer.hpp"
#include "sync/wire/normalise.hpp"

namespace smartq::sync::verify {
namespace dom = simdjson::dom;

namespace {

std::string number_text(double number) {
    // Integral values print without a fraction so that 5, 5.0 and "5" agree.
    if (std::nearbyint(number) == number && std::fabs(number) < 1e15) {
        return std::to_string(static_cast<std::int64_t>(number));
    }
    return fmt::format("{}", number);
}

// A decimal number written as text ("42", "-1.50"): ids and numbers arrive
// either way, depending on the server.
bool is_decimal(std::string_view text) {
    std::size_t i = (!text.empty() && text[0] == '-') ? 1 : 0;
    std::size_t digits = 0, dots = 0;
    for (; i < text.size(); ++i) {
        if (text[i] == '.') {
            if (++dots > 1 || digits == 0)
                return false;
        } else if (text[i] >= '0' && text[i] <= '9') {
            ++digits;
        } else {
            return false;
        }
    }
    return digits > 0 && text.back() != '.';
}

// Inside a container every value is quoted, so that ["a,b"] and ["a","b"] differ.
void append_nested(std::string& out, dom::element value) {
    if (value.is_array() || value.is_object()) {
        out += canonical_value(value);
    } else {
        wire::append_json_string(out, canonical_value(value));
    }
}

bool is_custom_field_name(std::string_view name) {
    return name.size() >= 2 && name[0] == 'f' &&
           std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Ids held by a value: one id, a list of ids, a list of {id} objects, or an
// object keyed by id.
std::vector<std::int64_t> ids_in(dom::element value) {
    std::vector<std::int64_t> ids;
    auto add = [&](dom::element item) {
        auto holder = item.is_object() ? wire::field(item, "id") : std::optional{item};
        if (auto id = holder ? wire::as_id(*holder) : std::nullopt)
            ids.push_back(*id);
    };
    if (value.is_array()) {
        for (auto item : value.get_array())
            add(item);
    } else if (value.is_object() && !wire::field(value, "id")) {
        for (auto member : value.get_object())
            add(member.value);
    } else {
        add(value);
    }
    return ids;
}

void add_custom_values(Extracted& out, dom::element object) {
    for (auto member : object.get_object()) {
        if (!is_custom_field_name(member.key))
            continue;
        out.custom_values.push_back(
            {std::string(member.key), canonical_value(member.value), ids_in(member.value)});
    }
}

const Reference* reference_of(const Resource& resource, std::string_view field) {
    for (const auto& reference : resource.references) {
        if (reference.field == field)
            return &reference;
    }
    return nullptr;
}

}  // namespace

std::string canonical_text(std::string_view text) {
    if (!is_decimal(text))
        return std::string(text);
    double number = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error != std::errc() || end != text.data() + text.size())
        return std::string(text);
    return number_text(number);
}

std::string canonical_value(dom::element value) {
    switch (value.type()) {
        case dom::element_type::NULL_VALUE:
            return {};
        case dom::element_type::BOOL:
            return value.get_bool().value() ? "1" : "0";
        case dom::element_type::INT64:
            return std::to_string(value.get_int64().value());
        case dom::element_type::UINT64:
            return std::to_string(value.get_uint64().value());
        case dom::element_type::DOUBLE:
            return number_text(value.get_double().value());
        case dom::element_type::STRING:
            return canonical_text(value.get_string().value());
        case dom::element_type::ARRAY: {
            std::string out = "[";
            for (auto item : value.get_array()) {
                if (out.size() > 1)
                    out += ',';
                append_nested(out, item);
            }
            return out + "]";
        }
        case dom::element_type::OBJECT: {
            // Keys sorted; empty members left out, as for top-level fields.
            std::map<std::string, dom::element, std::less<>> members;
            for (auto member : value.get_object()) {
                if (!canonical_value(member.value).empty())
                    members.emplace(member.key, member.value);
            }
            std::string out = "{";
            for (const auto& [key, member] : members) {
                if (out.size() > 1)
                    out += ',';
                wire::append_json_string(out, key);
                out += ':';
                append_nested(out, member);
            }
            return out + "}";
        }
    }
    return {};
}

std::vector<std::string_view> compared_fields(const Resource& resource) {
    std::vector<std::string_view> fields = resource.writable;
    if (resource.kind == Kind::Files)
        fields.push_back("name");
    return fields;
}

Extracted extract(const Resource& resource, std::string_view data, dom::parser& parser) {
    dom::element object;
    if (parser.parse(data.data(), data.size()).get(object) != simdjson::SUCCESS ||
        !object.is_object()) {
        throw std::runtime_error(
            fmt::format("a row of {} holds data that is not a JSON object", resource.name));
    }
    Extracted out;
    for (auto name : compared_fields(resource)) {
        auto value = wire::field(object, name);
        if (!value)
            continue;
        if (const auto* reference = reference_of(resource, name)) {
            out.references.push_back(
                {std::string(name), reference->target, ids_in(*value), reference->list});
            continue;
        }
        if (auto text = canonical_value(*value); !text.empty())
            out.fields[std::string(name)] = text;
    }
    if (resource.kind == Kind::Tickets) {
        add_custom_values(out, object);
        // Some servers nest the values: "custom_fields": {"f3": ...}.
        if (auto nested = wire::field(object, "custom_fields"); nested && nested->is_object())
            add_custom_values(out, *nested);
    }
    return out;
}

std::string identity_text(const Fields& fields) {
    std::string out;
    for (const auto& [name, value] : fields) {
        out += name;
        out += '\x1f';
        out += value;
        out += '\x1e';
    }
    return out;
}

}  // namespace smartq::sync::verify
