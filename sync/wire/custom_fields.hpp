// The one reader of a ticket's custom field values. The guide shows only the
// POST form (ticket[f3]=...); servers answer with the values beside the other
// fields ({"f3":"text"}) or nested ({"custom_fields":{"f3":"text"}}), and an
// empty set may be {} or []. The sync, the restore and the verification all
// read values through here, so that they never disagree on what a ticket holds.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

namespace smartq::wire {

// "f3", "f12": a custom field's generated name.
bool is_custom_field_name(std::string_view name);

struct CustomFieldValue {
    std::string name;  // "f3"
    simdjson::dom::element value;
};

// The ticket's custom field values in either shape; a name given in both
// shapes counts once (the top-level one).
std::vector<CustomFieldValue> custom_field_values(simdjson::dom::element ticket);

}  // namespace smartq::wire
