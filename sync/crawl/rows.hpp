// What the crawler reads off a listed row and the resource table, shared by the parts of the
// walk: a member as text, where a typed column sits, and whether a row names another parent
// than the list it came in.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "store/table_spec.hpp"
#include "sync/http/errors.hpp"
#include "sync/resources.hpp"

namespace smartq::sync::crawl {

// A member's text ("" when absent or not text).
std::string text_field(simdjson::dom::element object, std::string_view name);

const Column* find_column(const Resource& resource, std::string_view name);
// Where a non-key column sits in a stored row's columns; the table must have it.
std::size_t column_index(const Resource& resource, std::string_view name);

std::string value_text(const store::Value& value);

// The parent a row says it has, where it says one, against the one its list was asked for:
// a list answering another project's tickets must not file them under this one.
std::optional<std::string> foreign_parent(const Resource& resource, simdjson::dom::element item,
                                          const Context& context);

// "tickets 42" (or a custom field's name) for messages.
std::string describe(const Resource& resource, simdjson::dom::element item);

inline bool is_permanent(const http::HttpError& error) {
    return error.cls() == http::ErrorClass::Permanent;
}

}  // namespace smartq::sync::crawl
