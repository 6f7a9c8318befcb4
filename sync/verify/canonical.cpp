#include "sync/verify/canonical.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "sync/wire/custom_fields.hpp"
#include "sync/wire/json_writer.hpp"
#include "sync/wire/normalise.hpp"
#include "sync/wire/values.hpp"

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

void add_custom_values(Extracted& out, dom::element ticket) {
    for (const auto& [name, value] : wire::custom_field_values(ticket))
        out.custom_values.push_back({name, canonical_value(value), wire::ids_in(value)});
}

// Read elsewhere, not as a field: the tree gives the parents (and a note's
// thread top), a name a resource is known by is made per account (custom
// fields: f3 in one is f7 in the other), what the table puts below an object
// are objects of their own (a ticket's notes, a field's values), custom field
// values are compared by label, and a file's size is its body's.
bool read_elsewhere(const Resource& resource, std::string_view field) {
    if (names_a_parent(field))
        return true;
    const auto& key = resource.columns[resource.key_columns - 1];
    if (key.convert != Convert::Id && field == key.source)
        return true;
    for (const auto* child : children(resource.kind))
        if (child->path.ends_with(field) &&
            child->path[child->path.size() - field.size() - 1] == '/')
            return true;
    switch (resource.restore.hook) {
        case RestoreHook::TicketCustomFields:
            return field == "custom_fields" || wire::is_custom_field_name(field) ||
                   field == "cover";
        case RestoreHook::FileBodies:
            return field == "size" || field == "body";
        case RestoreHook::NoteThreads:
            return field == "top_parent_id";
        default:
            return false;
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
    if (wire::is_empty_value(value))
        return {};
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

bool is_server_set(std::string_view field) {
    return field == "id" || field == "owner_id" || field.ends_with("_time") ||
           field == "password" || field == "avatar_url";
}

bool is_compared(const Resource& resource, std::string_view field) {
    return !is_server_set(field) && !read_elsewhere(resource, field);
}

Extracted extract(const Resource& resource, std::string_view data, dom::parser& parser) {
    dom::element object;
    if (parser.parse(data.data(), data.size()).get(object) != simdjson::SUCCESS ||
        !object.is_object()) {
        throw std::runtime_error(
            fmt::format("a row of {} holds data that is not a JSON object", resource.name));
    }
    Extracted out;
    for (auto [name, value] : dom::object(object)) {
        if (!is_compared(resource, name))
            continue;
        if (const auto* reference = reference_of(resource, name)) {
            out.references.push_back(
                {std::string(name), reference->target, wire::ids_in(value), reference->list});
            continue;
        }
        if (auto text = canonical_value(value); !text.empty())
            out.fields[std::string(name)] = text;
    }
    if (resource.restore.hook == RestoreHook::TicketCustomFields)
        add_custom_values(out, object);
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
