// restore --annotate-authors starts the text of every note it creates with who
// wrote the original and when, since the target account records the restoring
// user as the author. The read-back takes that line off again before comparing.
#pragma once

#include <string>
#include <string_view>

namespace smartq::sync::verify {

std::string annotate_author(std::string_view author, std::string_view time, std::string_view text);

// The text without the annotation; unchanged if it has none.
std::string_view strip_author_annotation(std::string_view text);

}  // namespace smartq::sync::verify
