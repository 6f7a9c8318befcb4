#pragma once

#include <string>
#include <string_view>

#include "sync/http/connection_pool.hpp"

namespace smartq::http {

// The bytes of one HTTP/1.1 request as it goes on the wire, head and body, to be written at once.
// Beast's serializer took about 15,000 instructions a request to walk its buffer sequences, more
// than the rest of sending together; this writes what it wrote. The head holds Host, User-Agent,
// Accept, then the request's own headers (one of these names replaces the field of that name),
// Content-Type when the request has one, and Content-Length when the body is not empty or the
// method is POST or PUT.
std::string request_text(const Request& request, std::string_view host_header);

}  // namespace smartq::http
