// The page templates of view/templates/, compiled into the program.
#pragma once

#include <string_view>

namespace smartq::view {

// The text of template `name` ("board" for board.mustache); std::logic_error if none.
std::string_view template_text(std::string_view name);

}  // namespace smartq::view
