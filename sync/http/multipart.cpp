#include "sync/http/multipart.hpp"

#include <random>
#include <stdexcept>

#include <fmt/format.h>

namespace smartq::http {

namespace {

std::string quoted_filename(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    for (char c : name) {
        if (c == '\r' || c == '\n') {
            continue;
        }
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out;
}

}  // namespace

std::string make_boundary() {
    std::random_device entropy;
    std::uniform_int_distribution<unsigned> hex_digit(0, 15);
    std::string boundary = "smartq-";
    for (int i = 0; i < 32; ++i) {
        boundary += "0123456789abcdef"[hex_digit(entropy)];
    }
    return boundary;
}

MultipartBody multipart_file(std::string_view field, std::string_view filename,
                             std::string_view content_type, std::string_view content,
                             std::string_view boundary) {
    if (content.find(boundary) != std::string_view::npos) {
        throw std::invalid_argument("the multipart boundary occurs in the file content");
    }
    if (content_type.find_first_of("\r\n") != std::string_view::npos ||
        field.find_first_of("\r\n\"") != std::string_view::npos) {
        throw std::invalid_argument("a multipart header value contains a line break or quote");
    }
    MultipartBody out;
    out.content_type = fmt::format("multipart/form-data; boundary={}", boundary);
    out.body = fmt::format(
        "--{}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n"
        "Content-Type: {}\r\n\r\n",
        boundary, field, quoted_filename(filename),
        content_type.empty() ? "application/octet-stream" : content_type);
    out.body.append(content);
    out.body += fmt::format("\r\n--{}--\r\n", boundary);
    return out;
}

}  // namespace smartq::http
