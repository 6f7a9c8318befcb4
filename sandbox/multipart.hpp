// multipart/form-data (RFC 7578) as browsers and curl send it: what the
// filesv2 upload arrives as.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace smartq::sandbox {

struct MultipartPart {
    std::string name;                     // the form field name
    std::optional<std::string> filename;  // present for file parts (may be empty)
    std::string content_type;             // "" when the part does not say
    std::string body;
};

class MultipartError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The boundary parameter of a Content-Type header value; throws MultipartError
// if the type is not multipart/form-data or has no usable boundary.
std::string multipart_boundary(std::string_view content_type);

// Splits a body into its parts; boundary text that does not end a delimiter
// line is content. Throws MultipartError for a missing opening or
// closing delimiter, a part without headers or Content-Disposition, or a part
// without a name. filename*=UTF-8''... wins over filename=.
std::vector<MultipartPart> parse_multipart(std::string_view body, std::string_view boundary);

}  // namespace smartq::sandbox
