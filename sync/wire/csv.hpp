// CSV as RFC 4180 writes it, beside the JSON writer: the query command's --format csv and the
// export's table dumps quote fields here, once.
#pragma once

#include <string>
#include <string_view>

namespace smartq::wire {

// `text` as one CSV field: as it is, or in double quotes (inner quotes doubled) when it holds a
// comma, a quote or a line break.
std::string csv_field(std::string_view text);

}  // namespace smartq::wire
