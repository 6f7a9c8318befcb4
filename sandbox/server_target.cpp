#include "server_target.hpp"

#include "sync/wire/form.hpp"

namespace smartq::sandbox {

Target split_target(std::string_view target) {
    auto question = target.find('?');
    if (question == std::string_view::npos) {
        return {target, {}};
    }
    return {target.substr(0, question), target.substr(question + 1)};
}

std::string percent_decode(std::string_view text) {
    std::string plus_escaped;
    plus_escaped.reserve(text.size());
    for (char c : text) {
        if (c == '+') {
            plus_escaped += "%2B";
        } else {
            plus_escaped += c;
        }
    }
    return wire::url_decode(plus_escaped);
}

std::vector<std::string> path_segments(std::string_view path) {
    std::vector<std::string> segments;
    while (!path.empty()) {
        auto slash = path.find('/');
        auto segment = path.substr(0, slash);
        if (!segment.empty()) {
            segments.push_back(percent_decode(segment));
        }
        if (slash == std::string_view::npos) {
            break;
        }
        path.remove_prefix(slash + 1);
    }
    return segments;
}

bool strip_prefix(std::string_view& path, std::string_view prefix) {
    if (path.substr(0, prefix.size()) != prefix) {
        return false;
    }
    auto rest = path.substr(prefix.size());
    if (!rest.empty() && rest.front() != '/') {
        return false;
    }
    path = rest;
    return true;
}

}  // namespace smartq::sandbox
