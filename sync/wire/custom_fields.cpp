#include "sync/wire/custom_fields.hpp"

#include <algorithm>

#include "sync/wire/normalise.hpp"

namespace smartq::wire {
namespace dom = simdjson::dom;

bool is_custom_field_name(std::string_view name) {
    return name.size() >= 2 && name[0] == 'f' &&
           std::all_of(name.begin() + 1, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

namespace {

void add_members(std::vector<CustomFieldValue>& out, dom::object members) {
    for (auto member : members) {
        if (!is_custom_field_name(member.key))
            continue;
        bool seen = std::any_of(out.begin(), out.end(),
                                [&](const CustomFieldValue& v) { return v.name == member.key; });
        if (!seen)
            out.push_back({std::string(member.key), member.value});
    }
}

}  // namespace

std::vector<CustomFieldValue> custom_field_values(dom::element ticket) {
    std::vector<CustomFieldValue> out;
    dom::object members;
    if (ticket.get_object().get(members) != simdjson::SUCCESS)
        return out;
    add_members(out, members);
    // Nested: an object of values; an empty set may come as [] (PHP's empty array).
    dom::object nested;
    if (auto shape = field(ticket, "custom_fields");
        shape && shape->get_object().get(nested) == simdjson::SUCCESS)
        add_members(out, nested);
    return out;
}

}  // namespace smartq::wire
