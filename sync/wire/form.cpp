#include "form.hpp"

#include <array>

namespace smartq::wire {
namespace {

bool is_unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string url_encode(std::string_view text) {
    static constexpr std::array<char, 16> hex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                 '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (is_unreserved(c)) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0x0F]);
        }
    }
    return out;
}

std::string url_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '+') {
            out.push_back(' ');
        } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
                   hex_value(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
            i += 2;
        } else {
            out.push_back(c);
        }
    }
    return out;
}

FormFields parse_form(std::string_view body) {
    FormFields fields;
    while (!body.empty()) {
        auto amp = body.find('&');
        auto pair = body.substr(0, amp);
        body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
        if (pair.empty())
            continue;
        auto eq = pair.find('=');
        if (eq == std::string_view::npos) {
            fields.emplace_back(url_decode(pair), std::string{});
        } else {
            fields.emplace_back(url_decode(pair.substr(0, eq)), url_decode(pair.substr(eq + 1)));
        }
    }
    return fields;
}

std::vector<std::string> bracket_path(std::string_view key) {
    std::vector<std::string> parts;
    auto open = key.find('[');
    parts.emplace_back(key.substr(0, open));
    while (open != std::string_view::npos) {
        auto close = key.find(']', open);
        if (close == std::string_view::npos) {
            // PHP keeps an unterminated bracket as part of the last name.
            parts.back() += std::string(key.substr(open));
            break;
        }
        parts.emplace_back(key.substr(open + 1, close - open - 1));
        open = key.find('[', close);
        if (open != close + 1)
            break;
    }
    return parts;
}

FormBuilder& FormBuilder::add(std::initializer_list<std::string_view> path,
                              std::string_view value) {
    return add(std::vector<std::string>(path.begin(), path.end()), value);
}

FormBuilder& FormBuilder::add(const std::vector<std::string>& path, std::string_view value) {
    std::string key;
    for (std::size_t i = 0; i < path.size(); ++i) {
        key += i == 0 ? path[i] : "[" + path[i] + "]";
    }
    append(key, value);
    return *this;
}

FormBuilder& FormBuilder::add_list(std::initializer_list<std::string_view> path,
                                   const std::vector<std::string>& values) {
    std::vector<std::string> item(path.begin(), path.end());
    item.emplace_back();
    for (std::size_t i = 0; i < values.size(); ++i) {
        item.back() = std::to_string(i);
        add(item, values[i]);
    }
    return *this;
}

void FormBuilder::append(std::string_view key, std::string_view value) {
    if (!body_.empty())
        body_.push_back('&');
    body_ += url_encode(key);
    body_.push_back('=');
    body_ += url_encode(value);
}

}  // namespace smartq::wire
