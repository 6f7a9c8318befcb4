// The one way account text reaches a page: every character that HTML gives a
// meaning, in text or in a quoted attribute, becomes an entity.
#pragma once

#include <string>
#include <string_view>

namespace smartq::view {

// & < > " ' and ` as entities; everything else as is. Safe in element text and
// in double- or single-quoted attribute values.
std::string escape_html(std::string_view text);
// Paths and query values are percent-encoded by wire::url_encode, which keeps
// only A-Z a-z 0-9 - . _ ~, so no '/', '?', '#' or '%' keeps its meaning.

}  // namespace smartq::view
