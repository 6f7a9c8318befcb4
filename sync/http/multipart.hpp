#pragma once

#include <string>
#include <string_view>

namespace smartq::http {

struct MultipartBody {
    std::string content_type;  // multipart/form-data; boundary=...
    std::string body;
};

// A random boundary that cannot collide with the content by chance.
std::string make_boundary();

// One part named `field` carrying a file. The filename is quoted with '"' and '\'
// escaped and CR/LF dropped, so a user's file name cannot break the framing.
// Throws std::invalid_argument if the boundary occurs in the content.
MultipartBody multipart_file(std::string_view field, std::string_view filename,
                             std::string_view content_type, std::string_view content,
                             std::string_view boundary);

}  // namespace smartq::http
