// JSON values as the PHP forms a restore POSTs: bracket notation for lists
// and objects (field[options][min]=0), booleans as 1/0, numbers in their
// shortest exact form, and what is not sent at all.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "sync/wire/form.hpp"

namespace smartq::sync::restore {

// Any JSON value at `path`, in bracket notation; null adds nothing.
void add_json(wire::FormBuilder& form, std::vector<std::string> path,
              simdjson::dom::element value);

// Target ids at `path`: as path[0], path[1], ... for a list, else the first alone.
void add_ids(wire::FormBuilder& form, const std::vector<std::string>& path,
             const std::vector<std::string>& ids, bool list);

// A value not to send: nothing (null, [], {}, a zero date). An empty text
// is sent as such: a note's text may be empty, but must be there.
bool unset(simdjson::dom::element value);

// A form without one of its fields ("field[required]").
std::string form_without(const std::string& form, std::string_view field);

// Two forms as one body.
std::string join_forms(const std::string& first, const std::string& second);

}  // namespace smartq::sync::restore
