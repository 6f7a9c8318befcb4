#include "store/table_spec.hpp"

#include <fmt/format.h>

#include "store/errors.hpp"

namespace smartq::store {

namespace {

void append_key_part(std::string& text, const Value& part) {
    if (const auto* number = std::get_if<std::int64_t>(&part)) {
        text += std::to_string(*number);
    } else if (const auto* name = std::get_if<std::string>(&part)) {
        for (char c : *name) {
            if (c == '%') {
                text += "%25";
            } else if (c == '/') {
                text += "%2F";
            } else {
                text += c;
            }
        }
    } else {
        throw StoreError("a key part must be an integer or a text");
    }
}

}  // namespace

std::string as_text(const Value& value) {
    if (const auto* text = std::get_if<std::string>(&value))
        return *text;
    if (const auto* number = std::get_if<std::int64_t>(&value))
        return std::to_string(*number);
    return {};
}

std::string key_text(std::span<const Value> key) {
    std::string text;
    for (std::size_t i = 0; i < key.size(); ++i) {
        if (i > 0) {
            text += '/';
        }
        append_key_part(text, key[i]);
    }
    return text;
}

std::string key_text(const Record& record) {
    return key_text(record.key);
}

}  // namespace smartq::store
