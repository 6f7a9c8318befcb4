// The canonical content of one replica object: the fields a restore can set,
// with values normalised so that two servers' spellings of the same thing
// compare equal (1 / true / "1", 5 / "5" / 5.0). References are returned
// apart, as ids, because only the caller knows what they point to.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "sync/resources.hpp"

namespace smartq::sync::verify {

// Field -> canonical text. Fields that are missing, null or "" are left out.
using Fields = std::map<std::string, std::string>;

// A field holding ids of other objects, to be rewritten to their identities.
struct FoundReference {
    std::string field;
    Kind target;
    std::vector<std::int64_t> ids;
    bool list = false;
};

// A ticket's custom field value (`f3`), both as text and as the value ids it
// holds when the field is a choice field.
struct CustomValue {
    std::string field_name;
    std::string text;
    std::vector<std::int64_t> ids;
};

struct Extracted {
    Fields fields;
    std::vector<FoundReference> references;
    std::vector<CustomValue> custom_values;  // tickets only
};

// The fields compared for a resource: its writable fields, and a file's name
// (set by the upload, not by a form field).
std::vector<std::string_view> compared_fields(const Resource& resource);

// Reads `data` (JSON text kept by the replica). Throws std::runtime_error
// naming the resource when it is not a JSON object.
Extracted extract(const Resource& resource, std::string_view data, simdjson::dom::parser& parser);

// Normalised text of any JSON value; "" for null.
std::string canonical_value(simdjson::dom::element value);
// Normalised text of a JSON string's content ("5.0" and "5" are the same number).
std::string canonical_text(std::string_view text);

// One string that is equal for two objects exactly when their fields are.
std::string identity_text(const Fields& fields);

}  // namespace smartq::sync::verify
