#include "view/safe_name.hpp"

#include <string>

namespace smartq::view {
namespace {

constexpr std::size_t kMaxBytes = 200;

bool harmful(unsigned char c) {
    static constexpr std::string_view reserved = "/\\<>:\"|?*";
    return c < 0x20 || c == 0x7f || reserved.find(static_cast<char>(c)) != std::string_view::npos;
}

// The last '.' that starts an extension ("a.tar.gz" -> ".gz"); npos if none.
std::size_t extension_start(const std::string& name) {
    auto dot = name.rfind('.');
    return dot == 0 || dot == std::string::npos || name.size() - dot > 16 ? std::string::npos
                                                                          : dot;
}

// At most `bytes` bytes of `text`, not ending inside a UTF-8 sequence.
std::string cut_utf8(std::string_view text, std::size_t bytes) {
    if (text.size() <= bytes)
        return std::string(text);
    while (bytes > 0 && (static_cast<unsigned char>(text[bytes]) & 0xC0) == 0x80)
        --bytes;
    return std::string(text.substr(0, bytes));
}

}  // namespace

std::string safe_file_name(std::string_view name) {
    std::string out;
    for (char c : name)
        out += harmful(static_cast<unsigned char>(c)) ? '_' : c;
    auto first = out.find_first_not_of(". ");
    out = first == std::string::npos ? "" : out.substr(first);
    while (!out.empty() && (out.back() == ' ' || out.back() == '.'))
        out.pop_back();
    if (out.empty())
        return "file";
    if (out.size() > kMaxBytes) {
        auto dot = extension_start(out);
        std::string extension = dot == std::string::npos ? "" : out.substr(dot);
        out = cut_utf8(out, kMaxBytes - extension.size()) + extension;
    }
    return out;
}

std::string DirectoryNames::claim(std::string_view name) {
    auto safe = safe_file_name(name);
    auto dot = extension_start(safe);
    auto stem = safe.substr(0, dot);
    auto extension = dot == std::string::npos ? std::string() : safe.substr(dot);
    auto candidate = safe;
    for (int n = 2; taken_.contains(candidate); ++n)
        candidate = stem + "-" + std::to_string(n) + extension;
    taken_.insert(candidate);
    return candidate;
}

}  // namespace smartq::view
