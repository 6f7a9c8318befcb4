// Checks on the text a program printed, shared by the tests that run one.
#pragma once

#include <string_view>

namespace smartq::test {

inline bool contains(std::string_view text, std::string_view part) {
    return text.find(part) != std::string_view::npos;
}

}  // namespace smartq::test
