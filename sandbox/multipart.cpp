#include "multipart.hpp"

#include <algorithm>
#include <cctype>

#include "server_target.hpp"

namespace smartq::sandbox {
namespace {

constexpr std::string_view crlf = "\r\n";

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
        text.remove_prefix(1);
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
        text.remove_suffix(1);
    }
    return text;
}

// Header parameters: `; name=value` or `; name="quoted \" value"`, in order.
// `text` starts after the main value.
std::vector<std::pair<std::string, std::string>> parse_parameters(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> parameters;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ';' || text[i] == ' ' || text[i] == '\t') {
            ++i;
            continue;
        }
        auto equals = text.find('=', i);
        if (equals == std::string_view::npos) {
            throw MultipartError("malformed header parameter '" + std::string(text.substr(i)) +
                                 "'");
        }
        std::string name(trim(text.substr(i, equals - i)));
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        i = equals + 1;
        std::string value;
        if (i < text.size() && text[i] == '"') {
            ++i;
            while (i < text.size() && text[i] != '"') {
                if (text[i] == '\\' && i + 1 < text.size()) {
                    ++i;
                }
                value += text[i++];
            }
            if (i >= text.size()) {
                throw MultipartError("unterminated quoted parameter '" + name + "'");
            }
            ++i;
        } else {
            auto end = text.find(';', i);
            value = std::string(trim(text.substr(i, end - i)));
            i = end == std::string_view::npos ? text.size() : end;
        }
        parameters.emplace_back(std::move(name), std::move(value));
    }
    return parameters;
}

// RFC 5987: UTF-8''percent%20encoded (the charset is all we accept).
std::string decode_extended_value(std::string_view value) {
    auto quote = value.find("''");
    if (quote == std::string_view::npos || !iequals(value.substr(0, quote), "utf-8")) {
        throw MultipartError("unsupported filename* value '" + std::string(value) + "'");
    }
    return percent_decode(value.substr(quote + 2));
}

void apply_header(MultipartPart& part, bool& has_disposition, std::string_view line) {
    auto colon = line.find(':');
    if (colon == std::string_view::npos) {
        throw MultipartError("malformed part header '" + std::string(line) + "'");
    }
    auto name = trim(line.substr(0, colon));
    auto value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Type")) {
        part.content_type = std::string(value);
        return;
    }
    if (!iequals(name, "Content-Disposition")) {
        return;
    }
    auto semicolon = value.find(';');
    if (!iequals(trim(value.substr(0, semicolon)), "form-data")) {
        throw MultipartError("part disposition is not form-data");
    }
    has_disposition = true;
    if (semicolon == std::string_view::npos) {
        return;
    }
    std::optional<std::string> extended_filename;
    for (auto& [key, parameter] : parse_parameters(value.substr(semicolon))) {
        if (key == "name") {
            part.name = parameter;
        } else if (key == "filename") {
            part.filename = parameter;
        } else if (key == "filename*") {
            extended_filename = decode_extended_value(parameter);
        }
    }
    if (extended_filename) {
        part.filename = std::move(extended_filename);
    }
}

MultipartPart parse_part(std::string_view text) {
    auto headers_end = text.find("\r\n\r\n");
    if (headers_end == std::string_view::npos) {
        throw MultipartError("part without a header block");
    }
    MultipartPart part;
    bool has_disposition = false;
    auto headers = text.substr(0, headers_end);
    while (!headers.empty()) {
        auto end = headers.find(crlf);
        auto line = headers.substr(0, end);
        if (!line.empty()) {
            apply_header(part, has_disposition, line);
        }
        headers = end == std::string_view::npos ? std::string_view{} : headers.substr(end + 2);
    }
    if (!has_disposition) {
        throw MultipartError("part without Content-Disposition");
    }
    if (part.name.empty()) {
        throw MultipartError("part without a name");
    }
    part.body = std::string(text.substr(headers_end + 4));
    return part;
}

}  // namespace

std::string multipart_boundary(std::string_view content_type) {
    auto semicolon = content_type.find(';');
    if (!iequals(trim(content_type.substr(0, semicolon)), "multipart/form-data")) {
        throw MultipartError("content type is not multipart/form-data");
    }
    if (semicolon != std::string_view::npos) {
        for (auto& [key, value] : parse_parameters(content_type.substr(semicolon))) {
            if (key != "boundary") {
                continue;
            }
            // RFC 2046: 1 to 70 characters.
            if (value.empty() || value.size() > 70) {
                throw MultipartError("multipart boundary must have 1 to 70 characters");
            }
            return value;
        }
    }
    throw MultipartError("multipart/form-data without a boundary");
}

namespace {

// The end of a delimiter line that starts at `position` (just past the
// boundary): after "--" (the close) or optional padding and CRLF. npos if the
// boundary text there is only part of the content ("--XyZ-not-a-boundary").
std::size_t delimiter_end(std::string_view body, std::size_t position, bool& closing) {
    closing = body.substr(position, 2) == "--";
    if (closing) {
        return position + 2;
    }
    while (position < body.size() && (body[position] == ' ' || body[position] == '\t')) {
        ++position;
    }
    return body.substr(position, 2) == crlf ? position + 2 : std::string_view::npos;
}

// Where the next real delimiter after `from` starts (its CRLF), with
// `position` set past its line. Throws `missing` if there is none.
std::size_t find_delimiter(std::string_view body, const std::string& next_delimiter,
                           std::size_t from, std::size_t& position, bool& closing,
                           const char* missing) {
    for (;; ++from) {
        from = body.find(next_delimiter, from);
        if (from == std::string_view::npos) {
            throw MultipartError(missing);
        }
        position = delimiter_end(body, from + next_delimiter.size(), closing);
        if (position != std::string_view::npos) {
            return from;
        }
    }
}

}  // namespace

std::vector<MultipartPart> parse_multipart(std::string_view body, std::string_view boundary) {
    const std::string delimiter = "--" + std::string(boundary);
    const std::string next_delimiter = "\r\n" + delimiter;
    // The first delimiter may open the body or follow a preamble; every
    // delimiter's leading CRLF belongs to it, not to the part before.
    bool closing = false;
    std::size_t position = std::string_view::npos;
    if (body.substr(0, delimiter.size()) == delimiter) {
        position = delimiter_end(body, delimiter.size(), closing);
    }
    if (position == std::string_view::npos) {
        find_delimiter(body, next_delimiter, 0, position, closing,
                       "multipart body without an opening boundary");
    }
    std::vector<MultipartPart> parts;
    while (!closing) {
        const auto start = position;
        const auto end = find_delimiter(body, next_delimiter, start, position, closing,
                                        "multipart body without a closing boundary");
        parts.push_back(parse_part(body.substr(start, end - start)));
    }
    return parts;
}

}  // namespace smartq::sandbox
