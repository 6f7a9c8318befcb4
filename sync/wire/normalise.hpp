// The wire variations of wire-notes.md, accepted in one place: lists as
// arrays, keyed objects or wrappers; ids as strings or numbers; booleans as
// true/false, 1/0 or their string forms.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "sync/wire/wire_error.hpp"

namespace smartq::wire {

// The objects of a list answer's `data`, whatever shape the server chose.
// Returns an empty vector for null or an empty list; throws WireError for a
// scalar where a list was expected.
std::vector<simdjson::dom::element> list_items(simdjson::dom::element data);

// An id given as 42 or "42"; nullopt for null, "" or anything else.
std::optional<std::int64_t> as_id(simdjson::dom::element value);

// true/false, 1/0, "1"/"0", "true"/"false"; nullopt otherwise.
std::optional<bool> as_bool(simdjson::dom::element value);

// A number given as 1.5 or "1.5"; nullopt otherwise.
std::optional<double> as_number(simdjson::dom::element value);

// A string value, or the text of a number; nullopt for null, objects, arrays.
std::optional<std::string> as_text(simdjson::dom::element value);

// The field of an object, if the element is an object that has it.
std::optional<simdjson::dom::element> field(simdjson::dom::element object, std::string_view name);

// Minified JSON text of an element: what the replica keeps as `data`.
std::string to_json(simdjson::dom::element value);

}  // namespace smartq::wire
