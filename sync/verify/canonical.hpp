// The canonical content of one replica object: every field it holds but the
// ones no restore can set (ids, authors, server-set times, passwords,
// avatars) and the ones compared another way (parents, custom field values),
// with values normalised so that two servers' spellings of the same thing
// compare equal (1 / true / "1", 5 / "5" / 5.0, null / "" / [] / {} / a zero
// date). The list is not the restore's: a field the restore forgets to write
// shows as a difference. References are returned apart, as ids, because only
// the caller knows what they point to.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "sync/resources.hpp"

namespace smartq::sync::verify {

// Field -> canonical text. Fields that are missing or empty are left out.
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

// Set by the server, never by a client: ids, authors (owner_id), *_time,
// passwords, avatar_url. Left out of every comparison.
bool is_server_set(std::string_view field);
// Whether a field of a resource's objects is compared as a field.
bool is_compared(const Resource& resource, std::string_view field);

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
