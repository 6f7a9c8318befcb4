#pragma once

#include <string>
#include <string_view>

#include "store/sqlite.hpp"

// smartQ keeps ticket descriptions and note texts as HTML from its editor. Their plain text is
// what a person searches and reads outside a browser: the replica stores it beside `data`.
namespace smartq::store {

// The text of an HTML fragment: tags dropped (with the contents of script and style), block
// elements and <br> as line breaks, runs of blanks as one space, entities decoded (numeric ones
// and the common named ones; an unknown name stays as written). Invalid UTF-8 passes through.
std::string plain_text(std::string_view html);

// smartq_plain_text(X): plain_text of X as text, NULL for NULL. Deterministic, for this
// program's own statements; the replica's schema never names it, so other tools can write too.
void register_plain_text(sqlite::Connection& db);

}  // namespace smartq::store
