#include "sync/verify/annotation.hpp"

#include <fmt/format.h>

namespace smartq::sync::verify {

namespace {
constexpr std::string_view kOpen = "[originally by ";
constexpr std::string_view kClose = "]\n";
}  // namespace

std::string annotate_author(std::string_view author, std::string_view time, std::string_view text) {
    return fmt::format("{}{} at {}{}{}", kOpen, author, time, kClose, text);
}

std::string_view strip_author_annotation(std::string_view text) {
    if (!text.starts_with(kOpen))
        return text;
    auto end = text.find(kClose);
    return end == std::string_view::npos ? text : text.substr(end + kClose.size());
}

}  // namespace smartq::sync::verify
