// The one way account text reaches a page: every character that HTML gives a
// meaning, in text or in a quoted attribute, becomes an entity.
#pragma once

#include <string>
#include <string_view>

namespace smartq::view {

// & < > " ' and ` as entities; everything else as is. Safe in element text and
// in double- or single-quoted attribute values.
std::string escape_html(std::string_view text);

// `text` percent-encoded for one path segment or query value: only
// A-Z a-z 0-9 - . _ ~ stay, so no '/', '?', '#' or '%' keeps its meaning.
std::string encode_uri_component(std::string_view text);

// The reverse for a query value: %XX decoded and '+' as a space; a malformed
// escape stays as written.
std::string decode_uri_component(std::string_view text);

}  // namespace smartq::view
