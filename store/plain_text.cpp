#include "store/plain_text.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <utility>

namespace smartq::store {

namespace {

// Named entities an editor writes; HTML has two thousand, a stored text uses these.
constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kEntities{{
    {"amp", "&"},       {"lt", "<"},        {"gt", ">"},        {"quot", "\""},
    {"apos", "'"},      {"nbsp", "\u00a0"}, {"ndash", "\u2013"}, {"mdash", "\u2014"},
    {"hellip", "\u2026"}, {"laquo", "\u00ab"}, {"raquo", "\u00bb"}, {"lsquo", "\u2018"},
    {"rsquo", "\u2019"}, {"ldquo", "\u201c"}, {"rdquo", "\u201d"}, {"bull", "\u2022"},
    {"middot", "\u00b7"}, {"copy", "\u00a9"}, {"reg", "\u00ae"},  {"trade", "\u2122"},
    {"euro", "\u20ac"},  {"deg", "\u00b0"},  {"times", "\u00d7"}, {"shy", ""},
}};

// Elements that start a new line of text where they open or close.
constexpr std::array<std::string_view, 22> kBlocks{
    "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "h1", "h2", "h3",
    "h4",      "h5",      "h6",         "hr", "li", "ol", "p",  "pre", "table", "tr", "ul"};

bool is_blank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

void append_utf8(std::string& out, std::uint32_t code) {
    if (code == 0 || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
        code = 0xFFFD;
    }
    if (code < 0x80) {
        out += static_cast<char>(code);
    } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (code >> 18));
        out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
    }
}

// The text an entity at the start of `rest` ("&amp;...") stands for, and its length; length 0
// when it is no entity this decoder knows (the '&' is then text).
std::pair<std::string, std::size_t> entity(std::string_view rest) {
    auto end = rest.find(';');
    if (end == std::string_view::npos || end < 2 || end > 32) {
        return {"", 0};
    }
    auto name = rest.substr(1, end - 1);
    if (name.front() == '#') {
        bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
        auto digits = name.substr(hex ? 2 : 1);
        if (digits.empty() || digits.size() > 7) {
            return {"", 0};
        }
        std::uint32_t code = 0;
        for (char c : digits) {
            auto u = static_cast<unsigned char>(c);
            if (hex ? !std::isxdigit(u) : !std::isdigit(u)) {
                return {"", 0};
            }
            code = code * (hex ? 16 : 10) +
                   static_cast<std::uint32_t>(std::isdigit(u) ? c - '0' : std::tolower(u) - 'a' + 10);
        }
        std::string text;
        append_utf8(text, code);
        return {text, end + 1};
    }
    for (const auto& [known, text] : kEntities) {
        if (known == name) {
            return {std::string(text), end + 1};
        }
    }
    return {"", 0};
}

std::string lower_name(std::string_view tag) {
    std::size_t i = tag.starts_with('/') ? 1 : 0;
    std::string name;
    for (; i < tag.size() && std::isalnum(static_cast<unsigned char>(tag[i])); ++i) {
        name += static_cast<char>(std::tolower(static_cast<unsigned char>(tag[i])));
    }
    return name;
}

// Where the tag opening at `open` ('<') ends (one past its '>'), quotes in attributes
// respected; npos if it never ends.
std::size_t tag_end(std::string_view html, std::size_t open) {
    if (html.substr(open).starts_with("<!--")) {
        auto close = html.find("-->", open + 4);
        return close == std::string_view::npos ? close : close + 3;
    }
    char quote = 0;
    for (auto i = open + 1; i < html.size(); ++i) {
        char c = html[i];
        if (quote != 0) {
            quote = c == quote ? 0 : quote;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

bool starts_tag(std::string_view html, std::size_t at) {
    if (at + 1 >= html.size()) {
        return false;
    }
    auto next = static_cast<unsigned char>(html[at + 1]);
    return std::isalpha(next) || next == '/' || next == '!';
}

// Collects text, turning HTML's blank runs into one space and block edges into one line break.
class TextBuilder {
  public:
    void text(std::string_view piece) {
        for (char c : piece) {
            if (is_blank(c)) {
                space_ = !out_.empty();
                continue;
            }
            if (break_) {
                out_ += '\n';
            } else if (space_) {
                out_ += ' ';
            }
            break_ = space_ = false;
            out_ += c;
        }
    }
    void line_break() { break_ = !out_.empty(); }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
    bool space_ = false;
    bool break_ = false;
};

}  // namespace

std::string plain_text(std::string_view html) {
    TextBuilder builder;
    std::size_t i = 0;
    while (i < html.size()) {
        auto special = html.find_first_of("<&", i);
        builder.text(html.substr(i, special - i));
        if (special == std::string_view::npos) {
            break;
        }
        i = special;
        if (html[i] == '&') {
            auto [text, length] = entity(html.substr(i));
            builder.text(length == 0 ? "&" : text);
            i += std::max<std::size_t>(length, 1);
            continue;
        }
        auto end = starts_tag(html, i) ? tag_end(html, i) : std::string_view::npos;
        if (end == std::string_view::npos) {
            builder.text("<");
            ++i;
            continue;
        }
        auto tag = html.substr(i + 1, end - i - 2);
        auto name = lower_name(tag);
        i = end;
        if (!tag.starts_with('/') && (name == "script" || name == "style")) {
            // Their content is code, not text: skip to the closing tag, or to the end.
            auto close = html.find("</", i);
            while (close != std::string_view::npos && lower_name(html.substr(close + 1)) != name) {
                close = html.find("</", close + 2);
            }
            i = close == std::string_view::npos ? html.size() : tag_end(html, close);
            i = i == std::string_view::npos ? html.size() : i;
        } else if (std::find(kBlocks.begin(), kBlocks.end(), name) != kBlocks.end()) {
            builder.line_break();
        }
    }
    return builder.take();
}

namespace {

void plain_text_function(sqlite3_context* context, int, sqlite3_value** arguments) {
    if (sqlite3_value_type(arguments[0]) == SQLITE_NULL) {
        sqlite3_result_null(context);
        return;
    }
    const auto* bytes = sqlite3_value_text(arguments[0]);
    auto size = static_cast<std::size_t>(sqlite3_value_bytes(arguments[0]));
    auto text = plain_text(std::string_view(reinterpret_cast<const char*>(bytes), size));
    sqlite3_result_text64(context, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

}  // namespace

void register_plain_text(sqlite::Connection& db) {
    int rc = sqlite3_create_function_v2(db.handle(), "smartq_plain_text", 1,
                                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                        nullptr, plain_text_function, nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        db.fail(rc, "registering smartq_plain_text");
    }
}

}  // namespace smartq::store
